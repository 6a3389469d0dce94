//! A second opinion on image equality from `qemu-img compare`, when it is installed. Owns the
//! command line and the reading of its exit status; it must never be required for a check to
//! pass (absence is `Ok(None)`), and never modify the images (it opens them read-only).

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

/// Longest stderr text kept in an error.
pub const STDERR_SHOWN_BYTES_MAX: usize = 2000;

/// Runs `qemu-img compare -f raw -F raw a b`: `Some(true)` when the images have equal content,
/// `Some(false)` when they differ, `None` when qemu-img is not installed; any other outcome is
/// an error carrying qemu-img's stderr.
pub fn qemu_img_compare(a: &Path, b: &Path) -> Result<Option<bool>, String> {
    let output = match Command::new("qemu-img")
        .args(["compare", "-f", "raw", "-F", "raw"])
        .arg(a)
        .arg(b)
        .output()
    {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("could not run qemu-img: {e}")),
    };
    match output.status.code() {
        Some(0) => Ok(Some(true)),
        Some(1) => Ok(Some(false)),
        code => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let shown: String = stderr.chars().take(STDERR_SHOWN_BYTES_MAX).collect();
            Err(format!(
                "qemu-img compare `{}` `{}` ended with {}: {}",
                a.display(),
                b.display(),
                code.map_or("a signal".to_string(), |c| format!("exit status {c}")),
                shown.trim()
            ))
        }
    }
}
