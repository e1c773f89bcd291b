#!/usr/bin/env python3
"""Writes test.jsonl: synthetic clinical notes with gold annotations of their sensitive
items (category, start, end in code points, end exclusive). Every person, number and
address is invented; card numbers and IBANs are computed to pass their checks.
Run from this directory: python3 gen_notes.py > test.jsonl
"""
import json
import random
import sys

sys.path.insert(0, "../../tests/data/identify")
import gen_calibration as g  # noqa: E402  (shared generators of valid identifiers)

R = random.Random(81)
g.R.seed(8181)

COMPLAINTS = ["chest pain on exertion", "a productive cough for ten days", "poorly controlled blood sugar",
              "headaches and blurred vision", "lower back pain after a fall", "shortness of breath at night",
              "a rash on both forearms", "fatigue and weight loss", "palpitations", "a sprained left ankle"]
PLANS = ["Start metformin 500 mg twice daily.", "Chest X-ray ordered.", "Refer to cardiology.",
         "Physiotherapy twice a week.", "Repeat bloods in two weeks.", "Stop ibuprofen; paracetamol as needed.",
         "Echocardiogram booked.", "Topical steroid for 7 days."]
CLINICS = ["Riverside Clinic", "North Valley Medical Centre", "St. Brigid's Hospital", "Harbour Health"]


def note(i):
    r = g.Rec()
    f, l = g.name_pair()
    df, dl = g.name_pair()
    lang = R.randrange(10)
    if lang == 0:
        r.put("ملاحظة سريرية — المريض ").item("person", f + " " + l).put("، تاريخ الميلاد ")
        r.item("date", g.date()).put("، رقم الملف MRN: ").item("mrn", g.mrn()).put(". ")
        r.put("الهاتف ").item("phone", g.phone()).put(". يشكو من ألم في الصدر.")
        return r
    if lang == 1:
        r.put("診療記録：患者 ").item("person", f + " " + l).put(" さん（生年月日 ")
        r.item("date", "%04d-%02d-%02d" % g.valid_date()).put("）。MRN: ").item("mrn", g.mrn())
        r.put("。連絡先 ").item("email", g.email(f, l)).put("。咳が続いています 🤒。")
        return r
    r.put("Patient: ").item("person", f + " " + l).put("\nDOB: ").item("date", g.date())
    r.put("\nMRN: ").item("mrn", g.mrn()).put("\n")
    r.put("Seen at %s by Dr. " % R.choice(CLINICS)).item("person", dl).put(" on ").item("date", g.date())
    r.put(" for %s. " % R.choice(COMPLAINTS))
    extras = R.sample(range(9), 3)
    for x in extras:
        if x == 0:
            r.put("Contact number ").item("phone", g.phone()).put(". ")
        elif x == 1:
            r.put("E-mail ").item("email", g.email(f, l)).put(". ")
        elif x == 2:
            r.put("Assessment: ").item("icd10", R.choice([c for c in g.ICD if "." in c])).put(". ")
        elif x == 3:
            r.put("Insurance policy number: ").item("identifier", g.ident()).put(". ")
        elif x == 4:
            r.put("Copay paid by card ").item("payment_card", g.card()).put(". ")
        elif x == 5:
            r.put("SSN ").item("ssn", g.ssn()).put(" verified. ")
        elif x == 6:
            r.put("Lives at 12 Elm Road, Springfield, IL ").item("postal_code", "%05d" % R.randrange(60000, 62999)).put(". ")
        elif x == 7:
            r.put("Results on ").item("url", g.url()).put(" ")
        else:
            r.put("Refund to IBAN ").item("iban", g.iban()).put(". ")
    r.put(R.choice(PLANS))
    if R.random() < 0.3:
        r.put(" Daughter ").item("person", g.R.choice(g.FIRST)).put(" will drive her home.")
    if R.random() < 0.2:
        r.put(" BP 132/84, HR 78, temp 37.2 °C.")
    return r


if __name__ == "__main__":
    for i in range(96):
        rec = note(i).out()
        print(json.dumps({"id": "note-%03d" % (i + 1), "text": rec["text"], "items": rec["items"]},
                         ensure_ascii=False))
