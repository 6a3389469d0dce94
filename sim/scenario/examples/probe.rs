fn main() {
    for text in std::env::args().skip(1) {
        let text = text.replace("\\t", "\t").replace("\\n", "\n");
        let r: Result<serde_norway::Value, _> = serde_norway::from_str(&text);
        println!(
            "{text:?}: {:?} | shape {:?}",
            r.map(|_| "ok").map_err(|e| e.to_string()),
            rpsim_scenario::shape::measure(&text).map(|o| o.depth_max)
        );
    }
}
