//! Hostile scenario texts of a chosen size: the worst cases the loader's limits must hold
//! against, for the robustness tests, the `parse_worst_case` bench and the fuzz seeds. Owns
//! only generating them; what the loader must answer is the tests' business.

use crate::shape::{NESTING_DEPTH_MAX, NODES_MAX};
use crate::validate::TIMELINE_ENTRIES_MAX;

/// The head of a valid scenario with one VM group and a shared disk `q`.
const HEAD: &str = "\
version: 1
name: worst-case
hosts: [{name: h}]
storage: {capacity: 1TiB, bandwidth: 100MiB/s}
vm_groups:
  - name: g
    vms:
      - {name: a, host: h, generation: 2, state: running}
      - {name: b, host: h, generation: 2, state: running}
    shared_disks:
      - {name: q, size: 1GiB, attached_to: [a, b]}
";

/// A generator: the input of the given size in bytes.
pub type Generator = fn(usize) -> String;

/// Every generator with its name, in the order the bench reports them.
pub const ALL: [(&str, Generator); 9] = [
    ("open_flow_sequences", open_flow_sequences),
    ("open_flow_mappings", open_flow_mappings),
    ("closed_flow_nesting", closed_flow_nesting),
    ("compact_block_sequences", compact_block_sequences),
    ("indentation", indentation),
    ("nesting_at_the_limit", nesting_at_the_limit),
    ("alias_expansion", alias_expansion),
    ("brackets_in_strings", brackets_in_strings),
    ("largest_timeline", largest_timeline),
];

/// `[[[[...` to `size` bytes.
pub fn open_flow_sequences(size: usize) -> String {
    "[".repeat(size)
}

/// `{{{{...` to `size` bytes.
pub fn open_flow_mappings(size: usize) -> String {
    "{".repeat(size)
}

/// `[[[...]]]`: half opening, half closing brackets.
pub fn closed_flow_nesting(size: usize) -> String {
    format!("{}{}", "[".repeat(size / 2), "]".repeat(size / 2))
}

/// `- - - - ...`: a block sequence in a block sequence, two bytes a level.
pub fn compact_block_sequences(size: usize) -> String {
    "- ".repeat(size / 2)
}

/// `k:` lines, each indented one more space than the last, then again from column 0.
pub fn indentation(size: usize) -> String {
    let mut text = String::with_capacity(size);
    let mut depth = 0;
    while text.len() + depth + 3 <= size {
        text.push_str(&" ".repeat(depth));
        text.push_str("k:\n");
        depth = (depth + 1) % (4 * NESTING_DEPTH_MAX);
    }
    text
}

/// As many groups as fit of brackets nested exactly to the limit (`[[...[a]...]],`), each
/// group short enough that libyaml keeps every level's key candidate alive, and no more
/// values than [`NODES_MAX`]: the most work the parser does for a text the shape check lets
/// through.
pub fn nesting_at_the_limit(size: usize) -> String {
    let levels = NESTING_DEPTH_MAX - 2;
    let group = format!("{}a{},", "[".repeat(levels), "]".repeat(levels));
    let groups =
        (size.saturating_sub(20) / group.len()).min((NODES_MAX as usize - 8) / (levels + 1));
    format!("version: [{}]\n", group.repeat(groups))
}

/// One list of `a`s anchored once and aliased from as many `expect` entries as fit: a
/// "billion laughs" that every type accepts (a list of strings).
pub fn alias_expansion(size: usize) -> String {
    let mut text = format!("{HEAD}expect:\n  - export: e\n    files_absent: &l [");
    text.push_str(&"a, ".repeat(1000));
    text.push_str("a]\n");
    let mut i = 0;
    while text.len() + 40 < size {
        text.push_str(&format!("  - {{export: e{i}, files_absent: *l}}\n"));
        i += 1;
    }
    text
}

/// A valid scenario whose description is one long double-quoted string of brackets.
pub fn brackets_in_strings(size: usize) -> String {
    let fill = size.saturating_sub(HEAD.len() + 20);
    format!("{HEAD}description: \"{}\"\n", "[{".repeat(fill / 2))
}

/// A valid scenario with as many one-line timeline writes as fit (at most the entry limit).
pub fn largest_timeline(size: usize) -> String {
    let mut text = format!("{HEAD}timeline:\n");
    for i in 0..TIMELINE_ENTRIES_MAX {
        let entry = format!(
            "- {{at: {}s, write: {{disk: q, block: {}}}}}\n",
            i % 60,
            i % 100
        );
        if text.len() + entry.len() > size {
            break;
        }
        text.push_str(&entry);
    }
    text
}
