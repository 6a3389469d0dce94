//! Paths to nodes of a scenario document, such as `vm_groups[0].vms[1].host`: how validation
//! names the value it complains about, and how the locator finds it in the text. Owns building
//! and printing paths; it must never look at the text itself.

use std::fmt;

/// One step from a node to a child.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path from the document root; the empty path is the root.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodePath {
    segments: Vec<Segment>,
}

impl NodePath {
    pub fn root() -> Self {
        NodePath::default()
    }

    /// This path extended by a mapping key.
    pub fn key(&self, key: &str) -> Self {
        let mut path = self.clone();
        path.segments.push(Segment::Key(key.to_string()));
        path
    }

    /// This path extended by a sequence index.
    pub fn index(&self, index: usize) -> Self {
        let mut path = self.clone();
        path.segments.push(Segment::Index(index));
        path
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The path without its last `n` segments (the root at most).
    pub fn ancestor(&self, n: usize) -> Self {
        let keep = self.segments.len().saturating_sub(n);
        NodePath {
            segments: self.segments[..keep].to_vec(),
        }
    }
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str(".");
        }
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_serde_paths() {
        let path = NodePath::root()
            .key("vm_groups")
            .index(0)
            .key("vms")
            .index(1)
            .key("host");
        assert_eq!(path.to_string(), "vm_groups[0].vms[1].host");
        assert_eq!(path.ancestor(1).to_string(), "vm_groups[0].vms[1]");
        assert_eq!(path.ancestor(9).to_string(), ".");
    }
}
