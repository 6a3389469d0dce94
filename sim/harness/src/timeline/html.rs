//! The timeline page: one self-contained HTML file (no network, no external file) holding the
//! timeline as JSON and a small script that draws, over sim time, one lane per export (its
//! JobState spans coloured by state, PercentComplete as a line, markers for the
//! RequestStateChange calls with their codes and for the faults that hit it), the world's
//! own markers, and a bar lane of guest write volume per disk. Each lane is a `div.lane` with
//! `data-export` and a canvas, so a browser test can find it. Owns that page; it must never
//! compute what it shows (that is [`super::build`]).

use super::Timeline;

/// The page for `timeline`. Text from the scenario reaches the page only as JSON data, shown
/// with `textContent` (never as markup); `<` is escaped inside the JSON so it cannot close the
/// script element.
pub fn page(timeline: &Timeline) -> String {
    let data = serde_json::to_string(timeline)
        .expect("a timeline serialises")
        .replace('<', "\\u003c");
    let title = format!(
        "rpsim timeline: {} seed {}",
        timeline.scenario, timeline.seed
    )
    .replace('&', "&amp;")
    .replace('<', "&lt;");
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>{STYLE}</style>\n</head><body>\n\
         <h1 id=\"title\"></h1>\n<p id=\"summary\"></p>\n<div id=\"legend\"></div>\n<div id=\"lanes\"></div>\n\
         <script type=\"application/json\" id=\"timeline-data\">{data}</script>\n<script>{SCRIPT}</script>\n</body></html>\n"
    )
}

const STYLE: &str = "body{font-family:sans-serif;margin:16px}\
.lane{margin:6px 0}.lane h2{font-size:13px;margin:2px 0;font-weight:normal}\
canvas{border:1px solid #ccc;display:block}#legend span{display:inline-block;margin-right:12px;font-size:12px}\
#legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}\
ul.markers{font-size:11px;margin:2px 0 0 0;max-height:6em;overflow:auto}";

const SCRIPT: &str = r#"
(function () {
  const t = JSON.parse(document.getElementById('timeline-data').textContent);
  const W = 1100, LEFT = 8, RIGHT = 8;
  const names = {2:'New',3:'Starting',4:'Running',5:'Suspended',6:'Shutting Down',7:'Completed',
    8:'Terminated',9:'Killed',10:'Exception',11:'Service',32768:'Completed with warnings'};
  const colours = {2:'#bbb',3:'#9ecae1',4:'#6baed6',5:'#fdd0a2',6:'#fdae6b',7:'#74c476',
    8:'#969696',9:'#636363',10:'#fb6a4a',11:'#dadaeb',32768:'#c7e9c0'};
  const x = ns => LEFT + (W - LEFT - RIGHT) * ns / Math.max(t.end_ns, 1);
  const secs = ns => (ns / 1e9).toFixed(3) + ' s';
  const el = (tag, cls, text) => { const e = document.createElement(tag);
    if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  document.getElementById('title').textContent = 'rpsim timeline: ' + t.scenario + ', seed ' + t.seed;
  document.getElementById('summary').textContent = t.events + ' events over ' + secs(t.end_ns) +
    ' of sim time, trace ' + t.trace_hash.slice(0, 16) + '; ' + t.lanes.length + ' export lane(s), ' +
    t.disks.length + ' disk(s)';
  const legend = document.getElementById('legend');
  for (const s of Object.keys(names)) {
    const span = el('span'); const i = el('i'); i.style.background = colours[s];
    span.appendChild(i); span.appendChild(document.createTextNode(s + ' ' + names[s]));
    legend.appendChild(span);
  }
  const lanes = document.getElementById('lanes');
  function axis(g, h) {
    g.fillStyle = '#666'; g.font = '10px sans-serif';
    for (let k = 0; k <= 10; k++) {
      const ns = t.end_ns * k / 10, px = x(ns);
      g.fillRect(px, h - 12, 1, 4); g.fillText(secs(ns), Math.min(px + 2, W - 60), h - 1);
    }
  }
  function markerList(div, markers, dropped) {
    if (!markers.length) return;
    const ul = el('ul', 'markers');
    for (const m of markers) ul.appendChild(el('li', m.kind, secs(m.at_ns) + ' ' + m.text));
    if (dropped) ul.appendChild(el('li', '', dropped + ' more not listed'));
    div.appendChild(ul);
  }
  function drawMarkers(g, markers, top) {
    for (const m of markers) {
      const px = x(m.at_ns);
      g.fillStyle = m.kind === 'fault' ? '#d62728' : m.kind === 'world' ? '#8c564b' : '#1f4e9c';
      g.beginPath(); g.moveTo(px, top); g.lineTo(px - 4, top - 7); g.lineTo(px + 4, top - 7); g.fill();
    }
  }
  for (const lane of t.lanes) {
    const div = el('div', 'lane'); div.dataset.export = lane.export;
    div.dataset.states = lane.samples.map(s => s[1]).filter((s, i, a) => i === 0 || a[i - 1] !== s).join(',');
    div.dataset.markers = String(lane.markers.length + lane.markers_dropped);
    const last = lane.samples.length ? lane.samples[lane.samples.length - 1] : null;
    const head = 'export ' + lane.export + ': called at ' + secs(lane.called_at_ns) + ', returned ' +
      (lane.return_code === null ? '?' : lane.return_code) +
      (last ? ', ends JobState ' + last[1] + ' ' + (names[last[1]] || '') + ' at ' + last[2] + '%' : ', no job');
    div.appendChild(el('h2', '', head));
    const h = 70, c = el('canvas'); c.width = W; c.height = h; div.appendChild(c);
    const g = c.getContext('2d');
    const top = 12, bottom = h - 16;
    for (let i = 0; i < lane.samples.length;) {
      const [at, state] = lane.samples[i];
      let j = i + 1;
      while (j < lane.samples.length && lane.samples[j][1] === state) j++;
      const until = j < lane.samples.length ? lane.samples[j][0] : t.end_ns;
      g.fillStyle = colours[state] || '#eee';
      g.fillRect(x(at), top, Math.max(x(until) - x(at), 1), bottom - top);
      i = j;
    }
    g.strokeStyle = '#08306b'; g.lineWidth = 1.5; g.beginPath();
    lane.samples.forEach(([at, , pct], i) => {
      const py = bottom - (bottom - top) * pct / 100;
      if (i === 0) g.moveTo(x(at), py); else g.lineTo(x(at), py);
    });
    if (last) g.lineTo(x(t.end_ns), bottom - (bottom - top) * last[2] / 100);
    g.stroke();
    g.fillStyle = '#000'; g.fillRect(x(lane.called_at_ns), top - 2, 1, bottom - top + 4);
    drawMarkers(g, lane.markers, top);
    axis(g, h);
    markerList(div, lane.markers, lane.markers_dropped);
    lanes.appendChild(div);
  }
  if (t.world.length) {
    const div = el('div', 'lane world'); div.dataset.world = 'true';
    div.appendChild(el('h2', '', 'world: faults and actions while no job ran'));
    const c = el('canvas'); c.width = W; c.height = 30; div.appendChild(c);
    drawMarkers(c.getContext('2d'), t.world, 16);
    markerList(div, t.world, 0);
    lanes.appendChild(div);
  }
  for (const disk of t.disks) {
    const div = el('div', 'lane disk'); div.dataset.disk = disk.disk;
    const total = disk.bytes.reduce((a, b) => a + b, 0);
    div.appendChild(el('h2', '', 'guest writes to ' + disk.disk + ': ' + (total / 1048576).toFixed(1) +
      ' MiB in all, per ' + secs(t.bucket_ns)));
    const h = 50, c = el('canvas'); c.width = W; c.height = h; div.appendChild(c);
    const g = c.getContext('2d'), max = Math.max(...disk.bytes, 1);
    g.fillStyle = '#9467bd';
    disk.bytes.forEach((b, i) => {
      const bar = (h - 16) * b / max, at = i * t.bucket_ns;
      g.fillRect(x(at), h - 14 - bar, Math.max(x(at + t.bucket_ns) - x(at) - 1, 1), bar);
    });
    axis(g, h);
    lanes.appendChild(div);
  }
  document.body.dataset.drawn = 'true';
})();
"#;
