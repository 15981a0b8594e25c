// Offender networks that span towns: how many networks the linked suspects and their shared
// cases form, how many cross police force boundaries, and, for networks large enough to be
// described (10 persons or more), the districts they span, drawn as links between district
// centroids. Everything here is an aggregate the networks stage has already passed through
// disclosure control; no person appears.
import * as Plot from "@observablehq/plot";
import type { FeatureCollection } from "geojson";

import { Bundle, NetCount } from "./bundle";
import { downloadButton, toCsv } from "./csv";
import { asImage, el, section, table, tableBehind } from "./dom";

const count = (v: NetCount | undefined) => (v === null || v === undefined ? "fewer than 10" : v.toLocaleString("en-GB"));

export function networksSection(bundle: Bundle, geo: FeatureCollection) {
  const sec = section("networks", "Offender networks across towns");
  const n = bundle.networks;
  if (!n) {
    sec.append(el("p", { class: "pending" }, "No networks yet: run joindots networks --db ..."));
    return sec;
  }
  sec.append(el("p", {},
    "Suspects linked across agencies, joined through the cases they share (two cases join only when they share at least two persons). ",
    el("strong", { id: "networks-total" }, count(n.networks)), " networks; ",
    el("strong", { id: "networks-cross-force" }, count(n.cross_force_networks)), " span more than one police force area; ",
    count(n.multi_district_networks), " more than one district."));

  // Links between the centroids of the districts each described network spans.
  const at = new Map(bundle.areas.map((a) => [a.lad_cd, a]));
  const links: { x1: number; y1: number; x2: number; y2: number; cross: boolean; label: string }[] = [];
  n.large_networks.forEach((net, i) => {
    const home = at.get(net.lads[0]);
    if (!home) return;
    for (const other of net.lads.slice(1)) {
      const b = at.get(other);
      if (b) links.push({ x1: home.lon, y1: home.lat, x2: b.lon, y2: b.lat, cross: net.pfas.length > 1, label: `network ${i + 1}: ${home.name} – ${b.name}` });
    }
  });
  const spanned = new Set(n.large_networks.flatMap((net) => net.lads));
  const map = Plot.plot({
    projection: { type: "mercator", domain: geo },
    width: 640,
    height: 720,
    marks: [
      Plot.geo(geo, { fill: (f: any) => (spanned.has(f.properties.lad23cd) ? "#cfe3f3" : "#eeeeee"), stroke: "white", strokeWidth: 0.3 }),
      Plot.link(links, { x1: "x1", y1: "y1", x2: "x2", y2: "y2", stroke: (d: any) => (d.cross ? "#D55E00" : "#0072B2"), strokeWidth: 1.6, title: "label" }),
      Plot.dot(bundle.areas.filter((a) => spanned.has(a.lad_cd)), { x: "lon", y: "lat", r: 2.5, fill: "#000", title: "name" }),
    ],
  });
  sec.append(
    asImage(map, `Map of the ${n.large_networks.length} networks of 10 or more persons: lines join the districts each spans (orange: across police force areas, blue: within one). The table below lists them.`),
    el("p", { class: "meta" }, "Orange lines: networks spanning police force areas; blue: within one force. Only networks of 10 or more persons are described."),
  );

  const order = ["1", "2", "3-4", "5-9", "10+"];
  const rank = (k: string) => (order.indexOf(k) < 0 ? order.length : order.indexOf(k));
  const sizes = Object.entries(n.size_distribution).sort((a, b) => rank(a[0]) - rank(b[0]));
  sec.append(table(`Networks by size (${n.size_unit})`, ["Size", "Networks"], sizes.map(([k, v]) => [k, count(v)])));

  const name = (code: string) => at.get(code)?.name ?? code;
  const rows = n.large_networks.map((net, i) => [`${i + 1}`, count(net.suspects), count(net.victims), net.lads.map(name).join(", "), `${net.pfas.length}`, `${net.first} to ${net.last}`]);
  sec.append(tableBehind("The described networks as a table",
    table("Networks of 10 or more persons", ["Network", "Suspects", "Victims", "Districts", "Police force areas", "Active"], rows)));
  if (n.top_area_pairs.length) {
    sec.append(table("Districts most connected (networks spanning both)", ["District", "District", "Networks"],
      n.top_area_pairs.map((p) => [p.a.name ?? p.a.lad_cd, p.b.name ?? p.b.lad_cd, p.networks.toLocaleString("en-GB")])));
  } else {
    sec.append(el("p", {}, "No pair of districts is spanned by 10 or more networks, so none is listed."));
  }
  sec.append(downloadButton("networks.csv", () => toCsv(["network", "suspects", "victims", "districts", "police_force_areas", "first", "last"],
    n.large_networks.map((net, i) => [i + 1, net.suspects ?? "suppressed", net.victims ?? "suppressed", net.lads.join("|"), net.pfas.join("|"), net.first, net.last]))));
  return sec;
}
