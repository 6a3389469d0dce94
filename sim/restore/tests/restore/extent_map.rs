//! A verified chain's extent map: each range of a disk points at the log that wrote it last;
//! a later differential cuts older ranges, a full log starts the disk afresh.

use crate::common::*;
use rpsim_restore::open_chain;

const GROUP: u128 = 100;

fn ranges(map: &[rpsim_restore::MappedExtent]) -> Vec<(u64, u64, String)> {
    map.iter()
        .map(|m| {
            let export = m.log_path.parent().unwrap().parent().unwrap();
            let name = export.file_name().unwrap().to_string_lossy().to_string();
            (m.extent.offset_bytes, m.extent.length_bytes, name)
        })
        .collect()
}

#[test]
fn later_extents_cut_older_ones_and_a_full_log_starts_afresh() {
    let root = tempfile::tempdir().unwrap();
    let full = ExportSpec::new(guid(GROUP), guid(1), None).log(
        LogSpec::full("d", MIB, guid(1))
            .extent(0, pattern(1, 12288))
            .extent(65536, pattern(2, 4096)),
    );
    let inc = ExportSpec::new(guid(GROUP), guid(2), Some(guid(1)))
        .log(LogSpec::differential("d", MIB, guid(1), guid(2)).extent(4096, pattern(3, 4096)));
    let dirs = vec![
        write_export(root.path(), "full", &full),
        write_export(root.path(), "inc", &inc),
    ];
    let chain = open_chain(&dirs).unwrap();
    let map = chain.extent_map("d");
    let expected = [
        (0, 4096, "full".to_string()),
        (4096, 4096, "inc".to_string()),
        (8192, 4096, "full".to_string()),
        (65536, 4096, "full".to_string()),
    ];
    assert_eq!(ranges(&map), expected);
    assert_eq!(
        map[2].data_offset_bytes,
        map[0].data_offset_bytes + 8192,
        "a cut range points into its log"
    );

    let restart = ExportSpec::new(guid(GROUP), guid(3), Some(guid(2)))
        .log(LogSpec::full("d", MIB, guid(3)).extent(8192, pattern(4, 100)));
    let mut dirs = dirs;
    dirs.push(write_export(root.path(), "restart", &restart));
    let map = open_chain(&dirs).unwrap().extent_map("d");
    assert_eq!(ranges(&map), [(8192, 100, "restart".to_string())]);
}
