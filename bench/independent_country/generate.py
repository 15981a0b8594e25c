#!/usr/bin/env python3
"""An independent synthetic country for joindots (issue 11 acceptance).

Written from scratch, without reading src/simulate or the model sections of
docs/simulator.md: its recording mechanism is not the project's simulator's, so that the
pipeline can be measured on countries it was never tuned on. Python 3 standard library only.

What it models (every mechanism has a strength; --scenario picks a preset, --set K=V any):
  * children: N true victims (--children), mostly girls aged 10-16 at the start of their
    exploitation in 2022-2025; home district drawn by the 10-17 population of the 318 real
    districts (geo/ of the shared data, read at run time) with a few hotspots raised 4x;
    some move (new district, new postcode) and some change surname during the period.
  * lists: five source types, each recording a child with its own chance: police (force of
    the district), children's services (the district), health (trusts: groups of four
    districts in a region), NRM (one national body), charity (four regional charities).
  * latent visibility classes (`classes`, 0-1): three classes (hidden 50%, street 30%,
    care 20%) whose recording chances differ BY LIST (street children are seen by police
    and charities, children in care by councils and health), scaled so that each list's
    population-mean chance stays the same; 0 = every child alike.
  * referral chains (`referral`, 0-1): that share of the NRM's chance comes from a referral
    by police or children's services (high if either recorded the child, near 0 if not),
    and the same share of the charities' from children's services.
  * within-source duplicates (`dup`): chance that a child a list records gets one more
    record in the same organisation (a third with dup/3), each corrupted on its own.
  * correlated record corruption (`poor`, `severity`): a record is poor with chance `poor`
    (`hard_poor` multiplies it for hidden-class children); a poor record suffers each of
    typos in both names, date of birth missing/partial/day-month swapped/off by one,
    nickname or swapped given and family names, hyphenated surname, missing or wrong
    postcode, missing NHS number, sex unknown -- each with chance `severity`, so errors
    come together. Good records get rare, independent typos and missing values.
  * names: given and family names read at run time from the shared linkage data (Splink's
    historical persons and FEBRL's originals), drawn with Zipf weights by their frequency
    there, so common names repeat. FEBRL names carry no sex: each is given one by a hash.

Writes DIR/agencies/<source_type>_<org>.csv (docs/schema.md, plaintext) and DIR/truth/:
records.csv (source_org, record_id, person_id, role: what `link --truth DIR` reads),
victims.csv (one row per true victim, capture_history), capture_table.csv (the true
capture table over source types, perfect linkage, for `estimate --table`), summary.json.

Usage: generate.py --seed S --out DIR [--children N] [--scenario NAME] [--set KEY=VALUE]...
"""
import argparse
import csv
import datetime as dt
import json
import os
import random
import re
from collections import Counter, defaultdict

TYPES = ["police", "children_services", "health", "nrm", "charity"]
LETTER = {"police": "P", "children_services": "C", "health": "H", "nrm": "N", "charity": "V"}
BASE_P = {"police": 0.25, "children_services": 0.30, "health": 0.18, "nrm": 0.10, "charity": 0.12}
CLASSES = [  # share, recording multiplier per list (police, cs, health, nrm, charity)
    ("hidden", 0.50, [0.30, 0.35, 0.50, 0.20, 0.40]),
    ("street", 0.30, [2.20, 0.70, 0.80, 1.60, 2.00]),
    ("care", 0.20, [1.00, 3.00, 2.20, 2.00, 0.70]),
]
DEFAULTS = dict(children=6000, classes=0.0, referral=0.0, dup=0.05, poor=0.03, severity=0.4, hard_poor=1.0,
                move=0.12, surname_change=0.04, typo=0.015, nhs=0.7)
SCENARIOS = {
    "plain": {},
    "classes": dict(classes=1.0),
    "referral": dict(referral=0.8),
    "duplicates": dict(dup=0.35),
    "corrupt_light": dict(poor=0.07, severity=0.4),
    "corrupt_mild": dict(poor=0.15, severity=0.4),
    "corrupt_strong": dict(poor=0.35, severity=0.6),
    "noise_independent": dict(poor=1.0, severity=0.06),  # corrupt_mild's rates, but each field on its own
    "combined": dict(classes=0.7, referral=0.6, dup=0.2, poor=0.2, severity=0.5, hard_poor=2.0),
}
NICKNAMES = {"william": ["bill", "will", "billy"], "robert": ["bob", "rob", "bobby"], "elizabeth": ["liz", "beth", "lizzie"],
             "margaret": ["maggie", "meg", "peggy"], "katherine": ["kate", "kathy"], "catherine": ["cathy", "kate"],
             "james": ["jim", "jimmy"], "john": ["jack", "johnny"], "thomas": ["tom", "tommy"], "charles": ["charlie"],
             "richard": ["rich", "dick"], "edward": ["ed", "ted", "eddie"], "henry": ["harry", "hal"],
             "alexander": ["alex", "sandy"], "jessica": ["jess"], "rebecca": ["becky", "becca"], "samantha": ["sam"],
             "victoria": ["vicky", "tori"], "charlotte": ["lottie", "charlie"], "jennifer": ["jen", "jenny"],
             "michael": ["mike", "mick"], "daniel": ["dan", "danny"], "joseph": ["joe", "joey"], "mary": ["molly", "polly"],
             "frederick": ["fred", "freddie"], "samuel": ["sam", "sammy"], "christopher": ["chris"], "anne": ["annie"],
             "eleanor": ["ellie", "nell"], "isabella": ["bella", "izzy"], "olivia": ["liv"], "natalie": ["nat"]}
JUNK = {"sir", "lord", "lady", "baronet", "dame", "saint", "st", "the", "of", "de", "von", "van", "earl", "duke", "count"}
START, END = dt.date(2022, 1, 1), dt.date(2025, 12, 31)


def read_names(data):
    """(given names with sex and weight, family names with weight), from the shared linkage data."""
    given, family = Counter(), Counter()
    ok = re.compile(r"^[a-z][a-z'-]{1,14}$")
    clusters = defaultdict(list)
    with open(f"{data}/linkage/splink_historical_50k/historical_figures_with_errors_50k.csv", newline="") as f:
        for row in csv.DictReader(f):
            clusters[row["cluster"]].append(row)
    for rows in clusters.values():  # the modal value of each person's records: drops most injected errors
        first = Counter(r["first_name"] for r in rows).most_common(1)[0][0]
        sur = Counter(r["surname"] for r in rows).most_common(1)[0][0]
        sex = Counter(r["gender"] for r in rows).most_common(1)[0][0]
        if ok.match(first) and first not in JUNK and sex in ("male", "female"):
            given[(first, "F" if sex == "female" else "M")] += 1
        if ok.match(sur) and sur not in JUNK:
            family[sur] += 1
    for name in ("febrl1/febrl1.csv", "febrl2/febrl2.csv", "febrl3/febrl3.csv"):
        with open(f"{data}/linkage/{name}", newline="") as f:
            for row in csv.DictReader(f):
                if not row["rec_id"].endswith("-org"):
                    continue
                g, s = row["given_name"].strip(), row["surname"].strip()
                if ok.match(g) and g not in JUNK:
                    given[(g, "F" if sum(map(ord, g)) % 2 else "M")] += 1
                if ok.match(s) and s not in JUNK:
                    family[s] += 1
    return given, family


def zipf(counter, rng, s=1.0, offset=4):
    """Items and cumulative Zipf weights by rank of their count (ties shuffled)."""
    items = list(counter)
    rng.shuffle(items)
    items.sort(key=lambda k: -counter[k])
    weights = [1.0 / (r + offset) ** s for r in range(len(items))]
    return items, weights


def read_geo(data):
    with open(f"{data}/geo/lad23_ew_region_pfa_pop_mid2023.csv", newline="") as f:
        lads = list(csv.DictReader(f))
    trust = {}
    by_region = defaultdict(list)
    for lad in lads:
        by_region[lad["rgn_cd"]].append(lad["lad23cd"])
    regions = sorted(by_region)
    for ri, rgn in enumerate(regions):
        for i, code in enumerate(sorted(by_region[rgn])):
            trust[code] = f"TR{ri:02d}{i // 4:02d}"
    charity = {rgn: "CHY-" + "ABCD"[ri % 4] for ri, rgn in enumerate(regions)}
    return lads, trust, charity, by_region


def read_postcodes(data):
    pat = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
    out = set()
    with open(f"{data}/linkage/splink_historical_50k/historical_figures_with_errors_50k.csv", newline="") as f:
        for row in csv.DictReader(f):
            pc = row["postcode_fake"].strip().upper()
            if pat.match(pc):
                out.add(pc)
    return sorted(out)


def nhs_number(rng):
    while True:
        d = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, d)) + str(check)


def typo(s, rng):
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s))
    kind = rng.randrange(4)
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == 0:
        return s[:i] + rng.choice(letters) + s[i + 1:]
    if kind == 1:
        return s[:i] + s[i + 1:]
    if kind == 2:
        return s[:i] + rng.choice(letters) + s[i:]
    return s[:i - 1] + s[i] + s[i - 1] + s[i + 1:] if i < len(s) else s[:-2] + s[-1] + s[-2]


def add_years(d, years):
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Country:
    def __init__(self, seed, params, data):
        self.rng = random.Random(seed)
        self.p = params
        given, family = read_names(data)
        self.given = {sex: zipf(Counter({g: n for (g, s), n in given.items() if s == sex}), self.rng) for sex in "FM"}
        self.family = zipf(family, self.rng)
        self.lads, self.trust, self.charity, self.by_region = read_geo(data)
        self.lad_of = {lad["lad23cd"]: lad for lad in self.lads}
        weight = [int(lad["pop_10_17_mid2023"]) for lad in self.lads]
        for i in self.rng.sample(range(len(self.lads)), 25):  # hotspots
            weight[i] *= 4
        self.lad_weight = weight
        self.postcodes = read_postcodes(data)
        self.ids = defaultdict(set)

    def pick(self, items_weights):
        items, weights = items_weights
        return self.rng.choices(items, weights)[0]

    def child(self, pid):
        rng, p = self.rng, self.p
        sex = "F" if rng.random() < 0.68 else "M"
        start = START + dt.timedelta(days=rng.randrange((END - START).days - 30))
        age = rng.choices(range(10, 17), [1, 2, 4, 6, 7, 5, 3])[0]
        dob = start - dt.timedelta(days=365 * age + rng.randrange(365))
        end = min(start + dt.timedelta(days=int(rng.expovariate(1 / 300))), END, add_years(dob, 18) - dt.timedelta(days=1))
        home = rng.choices(self.lads, self.lad_weight)[0]["lad23cd"]
        c = dict(person_id=f"V{pid:06d}", sex=sex, dob=dob, start=start, end=max(end, start),
                 given=self.pick(self.given[sex]), family=self.pick(self.family), lad=home,
                 postcode=rng.choice(self.postcodes), nhs=nhs_number(rng), move=None, surname=None)
        cls = rng.choices(CLASSES, [w for _, w, _ in CLASSES])[0]
        c["cls"] = cls[0]
        if rng.random() < p["move"] and c["end"] > c["start"]:
            rgn = self.lad_of[home]["rgn_cd"]
            new = rng.choice(self.by_region[rgn] if rng.random() < 0.7 else list(self.lad_of))
            c["move"] = (c["start"] + (c["end"] - c["start"]) * rng.random(), new, rng.choice(self.postcodes))
        if rng.random() < p["surname_change"] and c["end"] > c["start"]:
            other = self.pick(self.family)
            c["surname"] = (c["start"] + (c["end"] - c["start"]) * rng.random(),
                            other if rng.random() < 0.5 else f"{c['family']}-{other}")
        return c

    def chances(self, cls):
        """Each list's recording chance for a child of class `cls`: the base chance times the
        class's multiplier raised to `classes`, scaled so the population mean stays at the base."""
        s = self.p["classes"]
        out = {}
        for j, t in enumerate(TYPES):
            mean = sum(w * m[j] ** s for _, w, m in CLASSES)
            mult = next(m[j] for name, _, m in CLASSES if name == cls) ** s / mean
            out[t] = min(0.95, BASE_P[t] * mult)
        return out

    def capture(self, c):
        rng, r = self.rng, self.p["referral"]
        ch = self.chances(c["cls"])
        seen = {t: rng.random() < ch[t] for t in ("police", "children_services", "health")}
        referred = seen["police"] or seen["children_services"]
        p_nrm = (1 - r) * ch["nrm"] + r * (0.40 if referred else 0.01)
        p_chy = (1 - r) * ch["charity"] + r * (0.35 if seen["children_services"] else 0.02)
        seen["nrm"] = rng.random() < p_nrm
        seen["charity"] = rng.random() < p_chy
        return [t for t in TYPES if seen[t]]

    def org(self, t, lad):
        return {"police": lambda: self.lad_of[lad]["pfa23cd"], "children_services": lambda: lad,
                "health": lambda: self.trust[lad], "nrm": lambda: "NRM",
                "charity": lambda: self.charity[self.lad_of[lad]["rgn_cd"]]}[t]()

    def record_id(self, t, org):
        while True:
            rid = f"{LETTER[t]}{org}-" + "".join(self.rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(8))
            if rid not in self.ids[org]:
                self.ids[org].add(rid)
                return rid

    def record(self, c, t):
        rng, p = self.rng, self.p
        span = (c["end"] - c["start"]).days
        date = c["start"] + dt.timedelta(days=rng.randrange(span + 1))
        lad, postcode, family = c["lad"], c["postcode"], c["family"]
        if c["move"] and date >= c["move"][0]:
            lad, postcode = c["move"][1], c["move"][2]
        if c["surname"] and date >= c["surname"][0]:
            family = c["surname"][1]
        given, dob, sex, other = c["given"], c["dob"].isoformat(), c["sex"], ""
        nhs = c["nhs"] if rng.random() < (p["nhs"] if t == "health" else 0.08) else ""
        poor_p = p["poor"] * (p["hard_poor"] if c["cls"] == "hidden" else 1)
        poor = rng.random() < poor_p
        hit = (lambda: rng.random() < p["severity"]) if poor else (lambda: False)
        if rng.random() < p["typo"] or hit():
            given = typo(given, rng)
        if rng.random() < p["typo"] or hit():
            family = typo(family, rng)
        if hit():
            nick = NICKNAMES.get(c["given"])
            if nick:
                given = rng.choice(nick)
            else:
                given, family = family, given
        if hit():
            family = f"{family}-{self.pick(self.family)}" if rng.random() < 0.6 else self.pick(self.family)
        if rng.random() < 0.03 or hit():
            d = c["dob"]
            kind = rng.randrange(4)
            if kind == 0:
                dob = ""
            elif kind == 1:
                dob = str(d.year) if rng.random() < 0.5 else f"{d.year}-{d.month:02d}"
            elif kind == 2 and d.day <= 12 and d.day != d.month:
                dob = dt.date(d.year, d.day, d.month).isoformat()
            else:
                dob = (d + dt.timedelta(days=rng.choice([-1, 1, 10, -10]))).isoformat()
        if rng.random() < 0.08 or hit():
            postcode = "" if rng.random() < 0.5 else rng.choice(self.postcodes)
        if hit():
            nhs, sex = "", "unknown"
        if NICKNAMES.get(c["given"]) and rng.random() < 0.1:
            other = rng.choice(NICKNAMES[c["given"]])
        case = str.upper if t == "police" else str.title
        org = self.org(t, lad)
        last = date + dt.timedelta(days=rng.randrange(max(1, (c["end"] - date).days + 1)))
        rtype = {"police": "crime", "children_services": "assessment" if rng.random() < 0.6 else "referral",
                 "health": "attendance", "nrm": "nrm_referral", "charity": "casework"}[t]
        return dict(record_id=self.record_id(t, org), source_type=t, source_org=org, role="victim", record_type=rtype,
                    event_date=date.isoformat(), last_date=last.isoformat() if rng.random() < 0.5 else "",
                    lad_cd=lad, given_name=case(given), family_name=case(family), other_names=other.title(), dob=dob,
                    sex=sex, postcode=postcode, nhs_number=nhs, _person=c["person_id"], _poor=int(poor))


COLUMNS = ["record_id", "source_type", "source_org", "role", "record_type", "event_date", "last_date", "lad_cd",
           "given_name", "family_name", "other_names", "dob", "sex", "postcode", "nhs_number"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--children", type=int)
    ap.add_argument("--scenario", default="plain", choices=sorted(SCENARIOS))
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one parameter")
    ap.add_argument("--data", default=os.environ.get("JOINDOTS_DATA_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"))
    a = ap.parse_args()
    params = dict(DEFAULTS, **SCENARIOS[a.scenario])
    for kv in a.set:
        k, v = kv.split("=", 1)
        if k not in DEFAULTS:
            ap.error(f"unknown parameter {k}; known: {', '.join(DEFAULTS)}")
        params[k] = type(DEFAULTS[k])(float(v))
    if a.children:
        params["children"] = a.children
    country = Country(a.seed, params, a.data)
    children, records = [], []
    for i in range(params["children"]):
        c = country.child(i + 1)
        c["lists"] = country.capture(c)
        for t in c["lists"]:
            n = 1 + (country.rng.random() < params["dup"]) + (country.rng.random() < params["dup"] / 3)
            records.extend(country.record(c, t) for _ in range(n))
        children.append(c)
    os.makedirs(f"{a.out}/agencies", exist_ok=True)
    os.makedirs(f"{a.out}/truth", exist_ok=True)
    by_file = defaultdict(list)
    for r in records:
        by_file[(r["source_type"], r["source_org"])].append(r)
    for (t, org), rows in sorted(by_file.items()):
        rows.sort(key=lambda r: (r["event_date"], r["record_id"]))
        with open(f"{a.out}/agencies/{t}_{org}.csv", "w", newline="") as f:
            w = csv.DictWriter(f, COLUMNS, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    with open(f"{a.out}/truth/records.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source_org", "record_id", "person_id", "role"])
        for r in sorted(records, key=lambda r: (r["source_org"], r["record_id"])):
            w.writerow([r["source_org"], r["record_id"], r["_person"], "victim"])
    ref = max(dt.date.fromisoformat(r["event_date"]) for r in records)
    n_rec = Counter(r["_person"] for r in records)
    with open(f"{a.out}/truth/victims.csv", "w", newline="") as f:  # the columns docs/simulator.md lists
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["person_id", "group_ids", "lad_cd", "moved_to_lad_cd", "sex", "dob", "age_at_start", "start_date",
                    "end_date", "n_offences", "visibility", "n_sources", "capture_history", "n_records", "still_involved"])
        for c in children:
            age = (c["start"] - c["dob"]).days // 365
            still = int(add_years(c["dob"], 18) > ref and (ref - c["end"]).days <= 365)
            w.writerow([c["person_id"], "", c["lad"], c["move"][1] if c["move"] else "", c["sex"], c["dob"], age,
                        c["start"], c["end"], 1, [n for n, _, _ in CLASSES].index(c["cls"]), len(c["lists"]),
                        "|".join(c["lists"]), n_rec[c["person_id"]], still])
    heads = {"offenders.csv": "person_id,group_id,lad_cd,sex,dob,age_at_group_start,n_offences,n_victims,n_records,"
             "capture_history", "offences.csv": "offence_id,victim_id,offender_ids,date,lad_cd,group_id",
             "groups.csv": "group_id,home_lad,lads,pfas,n_offenders,n_victims,n_second_victims,start,end,cross_force,hotspot"}
    for name, head in heads.items():  # no offenders in this country: victims are the point
        with open(f"{a.out}/truth/{name}", "w") as f:
            f.write(head + "\n")
    table = Counter(tuple(int(t in c["lists"]) for t in TYPES) for c in children if c["lists"])
    with open(f"{a.out}/truth/capture_table.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TYPES + ["count"])
        for pattern, n in sorted(table.items()):
            w.writerow(list(pattern) + [n])
    summary = dict(seed=a.seed, scenario=a.scenario, params=params, victims=len(children),
                   recorded=sum(1 for c in children if c["lists"]), records=len(records),
                   poor_records=sum(r["_poor"] for r in records), files=len(by_file),
                   per_list={t: sum(1 for c in children if t in c["lists"]) for t in TYPES})
    with open(f"{a.out}/truth/summary.json", "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: summary[k] for k in ("victims", "recorded", "records", "files")}))


if __name__ == "__main__":
    main()
