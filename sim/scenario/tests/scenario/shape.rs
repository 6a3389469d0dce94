//! The shape check sees the nesting libyaml (serde_norway's parser) sees: on valid YAML exactly
//! its depth (aliases expanded), and on any text at least the depth libyaml reached before its
//! first error. Seeing less would let a deep text reach the parser; seeing more would refuse
//! valid scenarios.

use proptest::prelude::*;
use rpsim_scenario::shape::measure;
use serde::de::{
    Deserialize, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use std::cell::Cell;

thread_local! {
    /// Collections open while visiting, and the most seen: serde_norway hands over the events
    /// libyaml produced before an error, so this measures even texts that fail.
    static OPEN: Cell<usize> = const { Cell::new(0) };
    static DEEPEST: Cell<usize> = const { Cell::new(0) };
}

fn enter() {
    let open = OPEN.get() + 1;
    OPEN.set(open);
    DEEPEST.set(DEEPEST.get().max(open));
}

fn leave() {
    OPEN.set(OPEN.get() - 1);
}

/// The nesting depth of a YAML value as serde_norway hands it over.
struct Depth(usize);

impl<'de> Deserialize<'de> for Depth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Depth, D::Error> {
        deserializer.deserialize_any(DepthVisitor)
    }
}

struct DepthVisitor;

impl<'de> Visitor<'de> for DepthVisitor {
    type Value = Depth;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_str<E>(self, _: &str) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_unit<E>(self) -> Result<Depth, E> {
        Ok(Depth(0))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Depth, A::Error> {
        enter();
        let mut deepest = 0;
        while let Some(Depth(d)) = seq.next_element()? {
            deepest = deepest.max(d);
        }
        leave();
        Ok(Depth(deepest + 1))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Depth, A::Error> {
        enter();
        let mut deepest = 0;
        while let Some((Depth(k), Depth(v))) = map.next_entry()? {
            deepest = deepest.max(k).max(v);
        }
        leave();
        Ok(Depth(deepest + 1))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Depth, A::Error> {
        let (_, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant()
    }
}

/// libyaml's depth for a text serde_norway reads, else `None`.
fn libyaml_depth(text: &str) -> Option<usize> {
    serde_norway::from_str::<Depth>(text).ok().map(|d| d.0)
}

/// The deepest nesting libyaml produced events for, up to its first error.
fn libyaml_depth_reached(text: &str) -> usize {
    OPEN.set(0);
    DEEPEST.set(0);
    let _ = serde_norway::from_str::<Depth>(text);
    DEEPEST.get()
}

/// A YAML value to render.
#[derive(Clone, Debug)]
enum Node {
    Scalar(u8),
    Seq(Vec<Node>),
    Map(Vec<(u8, Node)>),
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = any::<u8>().prop_map(Node::Scalar);
    leaf.prop_recursive(8, 64, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Node::Seq),
            proptest::collection::vec((any::<u8>(), inner), 0..4).prop_map(Node::Map),
        ]
    })
}

/// Scalars that hold brackets, quotes and comment signs the scanner must skip.
fn scalar(kind: u8, flow: bool, indent: usize) -> String {
    let pad = " ".repeat(indent + 2);
    match kind % 8 {
        0 => format!("w{kind}"),
        1 => format!("\"[{{ \\\" # ]{kind}\""),
        2 => format!("'[{{ '' # }}{kind}'"),
        3 if !flow => format!("a[{{]}}{kind}"),
        4 if !flow => format!("|\n{pad}[[ {{{{ # x\n\n{pad}]]"),
        5 if !flow => format!(">-\n{pad}[ {{\n{pad}  # in the scalar"),
        6 if !flow => "x # [[[[ {{{{".to_string(),
        _ => format!("k{kind}"),
    }
}

/// Renders `node` at `indent`; `style` bits choose flow or block per level.
fn render(node: &Node, flow: bool, indent: usize, style: u64, out: &mut String) {
    let pad = " ".repeat(indent);
    let as_flow = flow || style & 1 == 1;
    match node {
        Node::Scalar(kind) => out.push_str(&scalar(*kind, flow, indent)),
        Node::Seq(items) if as_flow || items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render(item, true, indent, style >> 1, out);
            }
            out.push(']');
        }
        Node::Map(entries) if as_flow || entries.is_empty() => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("k{i}x{key}: "));
                render(value, true, indent, style >> 1, out);
            }
            out.push('}');
        }
        Node::Seq(items) => {
            for item in items {
                out.push_str(&format!("\n{pad}- "));
                render(item, false, indent + 2, style >> 1, out);
            }
        }
        Node::Map(entries) => {
            for (i, (key, value)) in entries.iter().enumerate() {
                out.push_str(&format!("\n{pad}k{i}x{key}:"));
                let child = style >> 3;
                let block_child = match value {
                    Node::Scalar(_) => false,
                    Node::Seq(v) => !v.is_empty() && child & 1 == 0,
                    Node::Map(v) => !v.is_empty() && child & 1 == 0,
                };
                if block_child && style & 2 == 2 {
                    out.push_str(" # [[[ a comment");
                }
                out.push(' ');
                // A block sequence may sit at its key's column (an indentless sequence).
                let indentless = block_child && matches!(value, Node::Seq(_)) && style & 4 == 4;
                let child_indent = if indentless { indent } else { indent + 2 };
                render(value, false, child_indent, child, out);
            }
        }
    }
}

const SOUP: &[&str] = &[
    "[", "]", "{", "}", ",", ": ", ":", "- ", "? ", "\n", "\n  ", "  ", "\t", "'", "\"", "\\", "#",
    "|", ">", "&a ", "*a", "!t ", "a", "b:", "---\n", "%Y\n", "\u{85}", "\r", "a: ", "- - ",
    "[a: ", "'[[", "\"[{", "# [[", "|\n  [", ">-\n", "!!str ", "&b ", "*b", "\n- ", "\n  - ",
    "x\n  [[", "\u{2028}", "\u{FEFF}", "!<[a]> ", "...\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn on_valid_yaml_the_depth_is_libyamls(tree in node(), style in any::<u64>()) {
        let mut text = String::from("root: ");
        render(&tree, false, 2, style, &mut text);
        text.push('\n');
        if let Some(depth) = libyaml_depth(&text) {
            let outline = measure(&text).map_err(|r| TestCaseError::fail(format!("{r:?}\n{text}")))?;
            prop_assert_eq!(outline.depth_max, depth, "{}", text);
        }
    }

    #[test]
    fn on_any_text_the_depth_is_at_least_what_libyaml_reached(
        tokens in proptest::collection::vec(0..SOUP.len(), 0..120)
    ) {
        let text: String = tokens.iter().map(|&t| SOUP[t]).collect();
        if let Ok(outline) = measure(&text) {
            let reached = libyaml_depth_reached(&text);
            prop_assert!(outline.depth_max >= reached, "{} < {}: {:?}", outline.depth_max, reached, text);
        }
    }
}

#[test]
fn aliases_count_as_the_depth_they_expand_to() {
    let text = "a: &x [[1]]\nb: [*x]\nc: &y\n  d:\n    - e\nf: [[*y]]\n";
    assert_eq!(libyaml_depth(text), Some(5));
    assert_eq!(measure(text).expect("shallow").depth_max, 5);
}
