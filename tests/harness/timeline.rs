//! `rpsim run --timeline FILE.html` as a person sees it: the page is self-contained (no network
//! address in it), stays small for a run of 100,000 events, the HTML summary links it, and a
//! real headless Chromium (Debian's package, installed by `.ci/run`) runs its script and finds
//! one lane per export with the states, the RequestStateChange codes and the faults.

use rpsim_harness::timeline::{build, html, WRITE_BUCKETS};
use rpsim_world::TraceRecord;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn record(seq: u64, time_ns: u64, kind: &str, detail: &str) -> TraceRecord {
    TraceRecord {
        seq,
        time_ns,
        kind: kind.into(),
        detail: detail.into(),
        hash: String::new(),
    }
}

/// A run of `events` trace records: one export, a fault while it runs, the rest guest writes.
fn big_timeline(events: u64) -> rpsim_harness::timeline::Timeline {
    let mut trace = vec![
        record(
            0,
            0,
            "export",
            "name=full reference_point=X base= directory=/exports/full return_code=4096",
        ),
        record(1, 5_000, "fault", "IoError { operation: Write }"),
        record(
            2,
            6_000,
            "request_state_change",
            "export=full state=Kill timeout_ns=0 return_code=0",
        ),
    ];
    for seq in 3..events {
        trace.push(record(
            seq,
            seq * 1_000,
            "guest_write",
            "disk=D1 blocks=7+2",
        ));
    }
    let samples = vec![vec![(0, 4, 0), (3_000, 4, 50), (6_000, 9, 50)]];
    let disk_of = |id: &str| (id == "D1").then(|| ("vm-1/os".to_string(), 4096));
    build(&trace, samples, events * 1_000, &disk_of)
}

#[test]
fn a_run_of_100000_events_makes_a_small_page_with_its_lane_markers_and_write_volume() {
    let timeline = big_timeline(100_000);
    assert_eq!(timeline.lanes.len(), 1);
    let lane = &timeline.lanes[0];
    assert_eq!(lane.export, "full");
    assert_eq!(lane.return_code, Some(4096));
    let texts: Vec<&str> = lane.markers.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "fault IoError { operation: Write }",
            "RequestStateChange(Kill) = 0"
        ]
    );
    assert_eq!(timeline.disks.len(), 1);
    assert_eq!(timeline.disks[0].bytes.len() as u64, WRITE_BUCKETS);
    let total: u64 = timeline.disks[0].bytes.iter().sum();
    assert_eq!(total, (100_000 - 3) * 2 * 4096, "every write counted once");
    let page = html::page(&timeline);
    assert!(page.len() < 64 * 1024, "{} bytes", page.len());
    for address in ["http://", "https://", "src=", "href="] {
        assert!(
            !page.contains(address),
            "the page must load nothing: {address}"
        );
    }
}

#[test]
fn scenario_text_cannot_close_the_data_script() {
    let trace = vec![record(
        0,
        0,
        "export",
        "name=</script><b>x return_code=4096",
    )];
    let page = html::page(&build(&trace, vec![vec![(0, 4, 0)]], 10, &|_| None));
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "only the page's own two"
    );
}

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        let out = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()?;
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
    });
    if found.is_none() {
        eprintln!(
            "SKIPPED: Chromium is not installed and could not be (.ci/run installs Debian's \
             `chromium` with apt-get); the timeline page was not checked in a browser"
        );
    }
    found
}

/// The DOM of `page` after Chromium ran its scripts.
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let out = Command::new("timeout")
        .arg("180")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn chromium_draws_a_lane_per_export_with_states_codes_and_faults() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("timeline.html");
    let summary = dir.path().join("summary.html");
    let file = scenario("suspend-and-start.yaml");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--timeline",
        page.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
    ];
    let (code, text) = super::support::rpsim_in(dir.path(), &args, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("(timeline)"), "{text}");
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(
        summary.contains("<a class=\"timeline\" href=\"timeline.html\">suspend-and-start</a>"),
        "{summary}"
    );
    let faults = dir.path().join("faults.html");
    let file = scenario("target-io-error-write.yaml");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--timeline",
        faults.to_str().unwrap(),
    ];
    let (code, text) = super::support::rpsim_in(dir.path(), &args, &[]);
    assert_eq!(code, 0, "{text}");
    let big = dir.path().join("big.html");
    std::fs::write(&big, html::page(&big_timeline(100_000))).unwrap();
    let Some(browser) = chromium() else {
        return;
    };
    let dom = dump_dom(&browser, &page, &dir.path().join("profile"));
    assert!(dom.contains("data-drawn=\"true\""), "the script ran: {dom}");
    let lane = dom
        .split("<div class=\"lane\"")
        .nth(1)
        .expect("an export lane");
    assert!(lane.contains("data-export=\"full\""), "{lane}");
    assert!(
        lane.contains("data-states=\"4,5,4,7\""),
        "Running, Suspended, Running, Completed: {lane}"
    );
    assert!(lane.contains("RequestStateChange(Suspend) = 0"), "{lane}");
    assert!(lane.contains("RequestStateChange(Start) = 0"), "{lane}");
    assert!(
        dom.contains("class=\"lane disk\""),
        "a write-volume lane: {dom}"
    );
    let dom = dump_dom(&browser, &faults, &dir.path().join("profile"));
    assert!(dom.contains("data-drawn=\"true\""), "{dom}");
    assert!(
        dom.contains("class=\"fault\""),
        "a fault marker on the lane: {dom}"
    );
    let dom = dump_dom(&browser, &big, &dir.path().join("profile"));
    assert!(
        dom.contains("data-drawn=\"true\"") && dom.contains("data-export=\"full\""),
        "{dom}"
    );
}
