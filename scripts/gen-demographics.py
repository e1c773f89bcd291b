#!/usr/bin/env python3
"""Generate demographics/nationality.json and demographics/names.json from the source
lists described in demographics/SOURCES.md.

usage: python3 scripts/gen-demographics.py SOURCES_DIR [OUT_DIR]

SOURCES_DIR holds the copied source folders (checklist/, bbq/, wefe/, ...); OUT_DIR
defaults to demographics/ next to this script. The output is deterministic: the same
inputs give byte-identical files. The hand-written axis files in OUT_DIR are read so
that no first name or surname equals a term of any axis.
"""
import csv
import json
import os
import sys

# Curated nationality subset: checklist country -> (group, extra country spellings,
# extra adjective spellings). Countries whose names are common words or first names
# (Chad, Georgia, Jordan, Turkey) are left out.
NATIONALITIES = [
    ("United States", "united_states", ["the United States", "the USA", "the US", "America"], []),
    ("Mexico", "mexico", [], []),
    ("Canada", "canada", [], []),
    ("Brazil", "brazil", [], []),
    ("Argentina", "argentina", [], ["Argentinian"]),
    ("Colombia", "colombia", [], []),
    ("Cuba", "cuba", [], []),
    ("Haiti", "haiti", [], []),
    ("Jamaica", "jamaica", [], []),
    ("United Kingdom", "united_kingdom", ["the United Kingdom", "the UK", "Britain", "Great Britain"], []),
    ("Ireland", "ireland", [], []),
    ("France", "france", [], []),
    ("Germany", "germany", [], []),
    ("Italy", "italy", [], []),
    ("Spain", "spain", [], []),
    ("Poland", "poland", [], []),
    ("Sweden", "sweden", [], []),
    ("Greece", "greece", [], []),
    ("Ukraine", "ukraine", [], []),
    ("Russian Federation", "russia", ["Russia"], []),
    ("China", "china", [], []),
    ("Japan", "japan", [], []),
    ("Korea", "south_korea", ["South Korea"], ["Korean"]),
    ("India", "india", [], []),
    ("Pakistan", "pakistan", [], []),
    ("Bangladesh", "bangladesh", [], []),
    ("Indonesia", "indonesia", [], []),
    ("Philippines", "philippines", ["the Philippines"], ["Filipino"]),
    ("Vietnam", "vietnam", [], []),
    ("Thailand", "thailand", [], []),
    ("Iran", "iran", [], []),
    ("Iraq", "iraq", [], []),
    ("Syrian Arab Republic", "syria", ["Syria"], []),
    ("Afghanistan", "afghanistan", [], []),
    ("Saudi Arabia", "saudi_arabia", [], ["Saudi Arabian"]),
    ("Israel", "israel", [], []),
    ("Egypt", "egypt", [], []),
    ("Morocco", "morocco", [], []),
    ("Nigeria", "nigeria", [], []),
    ("Ethiopia", "ethiopia", [], []),
    ("Kenya", "kenya", [], []),
    ("Somalia", "somalia", [], []),
    ("South Africa", "south_africa", [], []),
    ("Australia", "australia", [], []),
]

# Names that are also common English words, places or titles: a capitalised word at the
# start of a sentence would be taken for a name (fairshake's own list, CC0).
WORDLIKE = set("""
will may june april august grant rose faith hope joy grace bill mark art sue pat don dawn
amber crystal ruby pearl iris daisy lily violet holly ivy heather summer autumn winter rich
frank earl carol chase chance hunter miles guy king price young long white black brown green
gray grey rice wood hill hall bell bush ford page lane love jordan kenya india china georgia
virginia carolina paris austin dallas houston sydney major sterling penny ginger candy brandy
misty sky star angel precious destiny justice harmony melody honey sunny rocky buck bud cliff
dale glen wade reed drew gene ray sol lee sage river storm dean bishop cook baker mason porter
carter fisher miller taylor parker turner walker cooper ward rivers banks woods waters fields
moore strong short little rich best bass case cash hunt lamb lord love marsh may nash noble
pope sharp stone swift wolf fox guy booker bright church christian christmas easter
""".split())


def title(s):
    return "-".join(p[:1].upper() + p[1:].lower() for p in s.split("-"))


# Spellings with accents for names the US sources give in upper-case ASCII only
# (fairshake's own list, CC0).
ACCENTS = {"Jose": "José", "Jesus": "Jesús", "Ramon": "Ramón", "Andres": "Andrés",
           "Raul": "Raúl", "Joaquin": "Joaquín", "Hector": "Héctor", "German": "Germán",
           "Ruben": "Rubén", "Efrain": "Efraín", "Sofia": "Sofía", "Lucia": "Lucía",
           "Ines": "Inés", "Maria": "María", "Monica": "Mónica", "Veronica": "Verónica"}

# A surname listed among BBQ's male first names.
BBQ_NOT_FIRST = {"Williams"}

RACE = {"pctwhite": "white", "pctblack": "black", "pctapi": "asian", "pctaian": "native_american",
        "pcthispanic": "hispanic"}
BBQ_RACE = {"Asian": "asian", "Black": "black", "Latino": "hispanic", "White": "white",
            "Arab": "arab"}
BBQ_GENDER = {"F": "female", "M": "male"}


def axis_terms(out_dir):
    words = set()
    for fn in sorted(os.listdir(out_dir)):
        if not fn.endswith(".json") or fn.startswith("names") or fn == "nationality.json":
            continue
        with open(os.path.join(out_dir, fn), encoding="utf-8") as f:
            d = json.load(f)
        for s in d.get("terms", []):
            for v in s.values():
                forms = v.values() if isinstance(v, dict) else [v]
                for form in forms:
                    for w in (form if isinstance(form, list) else [form]):
                        words.add(w.lower())
    return words


class Names:
    def __init__(self, banned):
        self.seen = {"first": set(), "last": set()}
        self.cells = {"first": [], "last": []}
        self.banned = banned

    def add(self, kind, labels, source, names):
        kept = []
        for n in names:
            if len(n) <= 2 or not n.replace("-", "").isalpha():
                continue
            if n.lower() in self.banned or n.lower() in self.seen[kind]:
                continue
            self.seen[kind].add(n.lower())
            kept.append(n)
        if kept:
            cell = dict(labels)
            cell["source"] = source
            cell["names"] = kept
            self.cells[kind].append(cell)


def census_first(src):
    out = {}
    for sex, fn in (("male", "dist.male.first.txt"), ("female", "dist.female.first.txt")):
        with open(os.path.join(src, "bbq", fn), encoding="utf-8") as f:
            out[sex] = [line.split()[0] for line in f if line.strip()]
    return out


def add_bbq(nm, src):
    cells = {}
    with open(os.path.join(src, "bbq", "vocabulary_proper_names.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            kind = "last" if r["First_last"] == "last" else "first"
            labels = []
            if kind == "first" and r["gender"] in BBQ_GENDER:
                labels.append(("gender", BBQ_GENDER[r["gender"]]))
            if r["ethnicity"] in BBQ_RACE:
                labels.append(("race", BBQ_RACE[r["ethnicity"]]))
            name = r["Name"].strip()
            if kind == "first" and name in BBQ_NOT_FIRST:
                continue
            cells.setdefault((kind, tuple(labels)), []).append(ACCENTS.get(name, name) if kind == "first" else name)
    for (kind, labels), names in cells.items():
        nm.add(kind, labels, "bbq", names)


def add_wefe(nm, src):
    with open(os.path.join(src, "wefe", "WEAT.json"), encoding="utf-8") as f:
        w = json.load(f)
    # by position: the _5 lists give 17 (European) / 19 (African) male names first,
    # the _7 lists 9 male then 9 female.
    for key, race, n_male in (("european_american_names_5", "white", 17),
                              ("african_american_names_5", "black", 19),
                              ("european_american_names_7", "white", 9),
                              ("african_american_names_7", "black", 9)):
        names = w[key]
        nm.add("first", [("gender", "male"), ("race", race)], "wefe", names[:n_male])
        nm.add("first", [("gender", "female"), ("race", race)], "wefe", names[n_male:])


def add_tzioumis(nm, src, census):
    cells = {}
    male, female = set(census["male"]), set(census["female"])
    with open(os.path.join(src, "bbq", "firstnames_tzioumis2018.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = r["firstname"]
            if name.startswith("ALL OTHER") or int(r["obs"]) < 100:
                continue
            pct = {k: float(r[k]) for k in RACE}
            best = max(sorted(pct), key=lambda k: pct[k])
            if pct[best] < 80:
                continue
            labels = []
            if (name in male) != (name in female):
                labels.append(("gender", "male" if name in male else "female"))
            labels.append(("race", RACE[best]))
            t = title(name)
            cells.setdefault(tuple(labels), []).append(ACCENTS.get(t, t))
    for labels in sorted(cells):
        nm.add("first", labels, "tzioumis2018", cells[labels])


def add_census_gender(nm, census, top):
    for sex in ("male", "female"):
        other = set(census["female" if sex == "male" else "male"])
        names = [title(n) for n in census[sex][:top] if n not in other]
        nm.add("first", [("gender", sex)], "census1990", names)


def add_surnames(nm, src):
    cells = {}
    with open(os.path.join(src, "bbq", "surnames_census2010_top1000.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            pct = {}
            for k in RACE:
                try:
                    pct[k] = float(r[k])
                except ValueError:  # "(S)": suppressed by the Census Bureau
                    pct[k] = 0.0
            best = max(sorted(pct), key=lambda k: pct[k])
            if pct[best] >= 75:
                cells.setdefault(RACE[best], []).append(title(r["name"]))
    for race in sorted(cells):
        nm.add("last", [("race", race)], "census2010", cells[race])


def nationality(src):
    with open(os.path.join(src, "checklist", "basic.json"), encoding="utf-8") as f:
        basic = json.load(f)
    countries, adjs = basic["country"], basic["nationality"]
    country_set, adj_set, groups = {}, {}, []
    for country, group, extra_c, extra_a in NATIONALITIES:
        i = countries.index(country)
        adj = adjs[i]
        if adj.startswith("from ") or " or " in adj:
            continue
        groups.append({"name": group})
        cs = extra_c + ([country] if country not in ("Korea", "Russian Federation",
                                                      "Syrian Arab Republic") else [])
        if group == "philippines":
            cs = extra_c
        country_set[group] = cs[0] if len(cs) == 1 else cs
        adj_set[group] = {"adjective": [adj] + extra_a if extra_a else adj}
    return {
        "axis": "nationality",
        "aliases": ["country", "national_origin"],
        "description": "Countries and their nationality adjectives (a curated subset of "
                       "CheckList's aligned country/nationality lists). Only capitalised "
                       "mentions count (\"China\", not \"china\").",
        "sources": [
            {"name": "CheckList lexicons basic.json country and nationality, aligned by index "
                     "(Ribeiro et al. 2020), marcotcr/checklist", "license": "MIT",
             "notice": "LICENSES/checklist.LICENSE",
             "use": "generated by scripts/gen-demographics.py; phrase entries skipped; extra "
                    "spellings are fairshake's own (CC0)"}],
        "capitalized_only": True,
        "groups": groups,
        "terms": [country_set, adj_set],
    }


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    src = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "demographics")
    nat = nationality(src)
    with open(os.path.join(out_dir, "nationality.json"), "w", encoding="utf-8") as f:
        json.dump(nat, f, ensure_ascii=False, indent=1)
        f.write("\n")
    banned = WORDLIKE | axis_terms(out_dir)
    for s in nat["terms"]:
        for v in s.values():
            for w in (v["adjective"] if isinstance(v, dict) else v):
                banned.add(w.lower()) if isinstance(w, str) and len(w) > 1 else None
            if isinstance(v, str):
                banned.add(v.lower())
    nm = Names(banned)
    census = census_first(src)
    add_bbq(nm, src)
    add_wefe(nm, src)
    add_tzioumis(nm, src, census)
    add_census_gender(nm, census, 300)
    add_surnames(nm, src)
    doc = {
        "description": "First names labelled by gender and/or race/ethnicity, surnames labelled "
                       "by race/ethnicity. Labels describe how a name is distributed or perceived "
                       "in US data, not a fact about any person. See SOURCES.md for the method.",
        "sources": [
            {"name": "BBQ vocabulary_proper_names.csv (Parrish et al. 2022), nyu-mll/BBQ",
             "license": "CC-BY-4.0", "notice": "LICENSES/bbq.LICENSE"},
            {"name": "Tzioumis (2018) first names, via BBQ supplemental data", "license": "CC-BY-4.0",
             "notice": "LICENSES/bbq.LICENSE"},
            {"name": "US Census 1990 first names and 2010 surnames (public domain), via BBQ",
             "license": "public domain"},
            {"name": "WEAT name lists (Caliskan et al. 2017), dccuchile/wefe", "license": "MIT",
             "notice": "LICENSES/wefe.LICENSE"}],
        "first": nm.cells["first"],
        "last": nm.cells["last"],
    }
    with open(os.path.join(out_dir, "names.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
