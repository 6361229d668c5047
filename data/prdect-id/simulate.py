#!/usr/bin/env python3
"""Add the SIMULATED listing fields the policies of policies/ read to the bundled
catalogue: the foreign merchant's identity and the listing's language and ship-from
country (Permendag 31/2023 art. 5), K3L numbers, the Indonesian-label statement, the
IMEI statement and the age gate. See README.md, "What is simulated".

Usage, from the repository root (Python 3, standard library only):

    python3 data/prdect-id/simulate.py            # rewrites listings.ndjson and listings.csv
    python3 data/prdect-id/simulate.py --check    # exit 1 if the files are not what it writes

It reads listings.ndjson, removes the fields it owns, draws them again and writes
listings.ndjson and listings.csv. Every other field is left as it is, byte for byte, so
running it twice gives the same files. Every draw is a pure function of (key, purpose)
through the splitmix64 of tools/make-catalogue, seed 20210809: per-listing draws are
keyed by the listing number (1 for TP-0001), per-seller draws by the seller number.
Run tools/make-catalogue first when the files are regenerated from PRDECT-ID: it writes
the catalogue without these fields.
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20210809
MASK = (1 << 64) - 1

# Purposes 1-9 are make-catalogue's; these continue the numbering.
LEGAL_DOC = 10
LEGAL_DOC_NUMBER = 11
ADDRESS = 12
DESCRIPTION_LANG = 13
DESCRIPTION_OTHER = 14
SHIP_FROM = 15
K3L = 16
K3L_NUMBER = 17
K3L_YEAR = 18
LABEL = 19
IMEI = 20
SDPPI = 21
SDPPI_NUMBER = 22
AGE_GATE = 23


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def bits(key, purpose):
    return splitmix64(splitmix64(SEED ^ splitmix64(key)) ^ purpose)


def unit(key, purpose):
    return (bits(key, purpose) >> 11) / float(1 << 53)


def number(key, purpose, digits):
    return str(bits(key, purpose) % 10**digits).zfill(digits)


# ---------------------------------------------------------------------------------
# What is drawn, and at which rates (README.md, "What is simulated", says the same).

LEGAL_DOC_RATE = 0.96  # a cross-border seller has its legalised licence on file
ADDRESS_SAME = 0.97  # its address on file is in its own country...
ADDRESS_OTHER = 0.995  # ...or, up to here, in another country; else none on file
DESCRIPTION_ID = 0.95  # a cross-border listing is described in Bahasa Indonesia
SHIP_FROM_NONE = 0.02  # it does not say where it ships from
SHIP_FROM_SAME = 0.95  # up to here: from the seller's city; else another country
K3L_DOMESTIC, K3L_IMPORT = 0.95, 0.85  # Electronics listings showing a K3L number
LABEL_DOMESTIC = (0.97, 0.98)  # label stated Indonesian / up to here: stated not
LABEL_IMPORT = (0.90, 0.94)  # the same for cross-border listings
IMEI_RATES = (0.96, 0.98)  # IMEI stated registered / up to here: stated not registered
SDPPI_RATE = 0.95  # an SDPPI certificate number is shown
AGE_GATE_RATE = 0.85  # a tobacco or e-cigarette listing is behind an age check

# Another country, for an address or a warehouse outside the seller's own.
OTHER_COUNTRY = {"CN": "HK", "SG": "MY", "MY": "SG", "TH": "MY", "KR": "CN"}
WAREHOUSE_CITY = {"HK": "Hong Kong", "MY": "Johor Bahru", "SG": "Singapore", "CN": "Weihai"}
OWN_LANGUAGE = {"CN": "zh", "SG": "en", "MY": "ms", "TH": "th", "KR": "ko"}

LABEL_CATEGORIES = {
    "Electronics", "Computers and Laptops", "Phones and Tablets", "Camera", "Automotive",
    "Men's Fashion", "Women's Fashion", "Muslim Fashion", "Kids and Baby Fashion",
    "Carpentry", "Household",
}

HANDSET = re.compile(
    r"(?i)\b(iphone|ipad|samsung galaxy|galaxy tab|redmi|oppo|realme|infinix|smartphone|handphone)\b"
)
# An accessory for a handset, or a tablet without a SIM (policies/imei-2020.policy).
NOT_HANDSET = re.compile(
    r"(?i)kabel|cable|lcd|layar|anti gores|tempered|case|casing|charger|adaptor|adapter"
    r"|holder|tripod|earphone|buds|headset|power ?bank|obeng|strap|watch"
    r"|wi-?fi only|not cellular|non cellular"
)
SMOKING = re.compile(
    r"(?i)\b(rokok|kretek|tembakau|tobacco|cerutu|cigars?|vape|vapor|saltnic|mesh coil|rda)\b"
    r"|\bliquid\b.*\b\d+\s?mg\b"
)


def legal_doc(seller_key, country):
    d = lambda n: number(seller_key, LEGAL_DOC_NUMBER, n)  # noqa: E731
    if country == "CN":
        return f"CN-USCC-91{d(16)}"
    if country == "SG":
        letter = chr(ord("A") + bits(seller_key, LEGAL_DOC_NUMBER) % 26)
        return f"SG-UEN-20{d(7)}{letter}"
    if country == "MY":
        return f"MY-SSM-20{d(10)}"
    if country == "TH":
        return f"TH-DBD-0105{d(9)}"
    n = d(10)
    return f"KR-BRN-{n[:3]}-{n[3:5]}-{n[5:]}"


def key_of(text):
    return int(text.split("-")[1])


# The fields this script owns, removed before they are drawn again.
OWNED_TOP = ["description_lang", "ship_from", "label_id_lang", "imei_registered",
             "sdppi_cert_no", "age_gate"]
OWNED_SELLER = ["legal_doc_id", "address_country"]
OWNED_CERTS = ["k3l"]


def simulate(listing):
    for name in OWNED_TOP:
        listing.pop(name, None)
    seller = listing["seller"]
    for name in OWNED_SELLER:
        seller.pop(name, None)
    certs = listing["certifications"]
    for name in OWNED_CERTS:
        certs.pop(name, None)

    n = key_of(listing["id"])
    s = key_of(seller["id"])
    country = seller["country"]
    cross_border = listing["cross_border"]
    category = listing["category"]
    title = listing["title"]

    if cross_border:
        if unit(s, LEGAL_DOC) < LEGAL_DOC_RATE:
            seller["legal_doc_id"] = legal_doc(s, country)
        u = unit(s, ADDRESS)
        if u < ADDRESS_SAME:
            seller["address_country"] = country
        elif u < ADDRESS_OTHER:
            seller["address_country"] = OTHER_COUNTRY[country]

    k3l = None
    if category == "Electronics":
        rate = K3L_IMPORT if cross_border else K3L_DOMESTIC
        if unit(n, K3L) < rate:
            year = 2016 + bits(n, K3L_YEAR) % 8
            k3l = f"NPB-K3L-{year}-{number(n, K3L_NUMBER, 6)}"
    certs["k3l"] = k3l

    if cross_border:
        u = unit(n, DESCRIPTION_LANG)
        if u < DESCRIPTION_ID:
            listing["description_lang"] = "id"
        elif unit(n, DESCRIPTION_OTHER) < 0.6:
            listing["description_lang"] = "en"
        else:
            listing["description_lang"] = OWN_LANGUAGE[country]
        u = unit(n, SHIP_FROM)
        if u >= SHIP_FROM_NONE:
            if u < SHIP_FROM_SAME:
                listing["ship_from"] = {"country": country, "city": seller["city"]}
            else:
                other = OTHER_COUNTRY[country]
                listing["ship_from"] = {"country": other, "city": WAREHOUSE_CITY[other]}

    if category in LABEL_CATEGORIES:
        stated, stated_not = LABEL_IMPORT if cross_border else LABEL_DOMESTIC
        u = unit(n, LABEL)
        if u < stated:
            listing["label_id_lang"] = True
        elif u < stated_not:
            listing["label_id_lang"] = False

    if (category in ("Phones and Tablets", "Computers and Laptops") and HANDSET.search(title)
            and not NOT_HANDSET.search(title)):
        u = unit(n, IMEI)
        if u < IMEI_RATES[0]:
            listing["imei_registered"] = True
        elif u < IMEI_RATES[1]:
            listing["imei_registered"] = False
        if unit(n, SDPPI) < SDPPI_RATE:
            number_ = number(n, SDPPI_NUMBER, 5)
            year = 2019 + bits(n, SDPPI_NUMBER) % 4
            listing["sdppi_cert_no"] = f"SDPPI-{number_}/{year}"

    if SMOKING.search(title) and unit(n, AGE_GATE) < AGE_GATE_RATE:
        listing["age_gate"] = True
    return listing


# ---------------------------------------------------------------------------------
# Writing, as tools/make-catalogue writes (serde_json; the csv crate's minimal quoting).

CSV_COLUMNS = [
    "id", "title", "category", "price.amount", "price.currency", "rating", "sold",
    "reviews", "cross_border", "origin_country", "seller.id", "seller.country",
    "seller.city", "seller.size", "certifications.halal", "certifications.sni",
    "certifications.bpom",
    # Added by this script.
    "seller.legal_doc_id", "seller.address_country", "certifications.k3l",
    "description_lang", "ship_from.country", "ship_from.city", "label_id_lang",
    "imei_registered", "sdppi_cert_no", "age_gate",
]


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Rust's f64 Display: 5.0 is "5", 4.9 is "4.9".
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def lookup(listing, path):
    value = listing
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def render(listings):
    ndjson = "".join(
        json.dumps(l, ensure_ascii=False, separators=(",", ":")) + "\n" for l in listings
    )
    rows = [",".join(CSV_COLUMNS)]
    rows += [",".join(cell(lookup(l, c)) for c in CSV_COLUMNS) for l in listings]
    return ndjson, "\n".join(rows) + "\n"


def main(argv):
    check = argv[1:] == ["--check"]
    if argv[1:] and not check:
        sys.exit("usage: simulate.py [--check]")
    ndjson_path, csv_path = HERE / "listings.ndjson", HERE / "listings.csv"
    text = ndjson_path.read_text(encoding="utf-8")
    listings = [simulate(json.loads(line)) for line in text.splitlines() if line.strip()]
    ndjson, csv = render(listings)
    if check:
        same = ndjson == text and csv == csv_path.read_text(encoding="utf-8")
        print("up to date" if same else "listings.ndjson or listings.csv differ from what simulate.py writes")
        sys.exit(0 if same else 1)
    ndjson_path.write_text(ndjson, encoding="utf-8")
    csv_path.write_text(csv, encoding="utf-8")
    summary(listings)


def summary(listings):
    xb = [l for l in listings if l["cross_border"]]
    sellers = {l["seller"]["id"]: l["seller"] for l in xb}
    def share(items, test):
        hit = sum(1 for i in items if test(i))
        return f"{hit} of {len(items)}"
    print(f"cross-border sellers without a legal document: "
          f"{share(list(sellers.values()), lambda s: 'legal_doc_id' not in s)}", file=sys.stderr)
    print(f"cross-border sellers whose address is not in their country: "
          f"{share(list(sellers.values()), lambda s: s.get('address_country') != s['country'])}",
          file=sys.stderr)
    print(f"cross-border listings not described in Indonesian: "
          f"{share(xb, lambda l: l.get('description_lang') != 'id')}", file=sys.stderr)
    print(f"cross-border listings without ship-from: {share(xb, lambda l: 'ship_from' not in l)}",
          file=sys.stderr)
    elec = [l for l in listings if l["category"] == "Electronics"]
    print(f"Electronics listings without K3L: "
          f"{share(elec, lambda l: l['certifications']['k3l'] is None)}", file=sys.stderr)
    lab = [l for l in listings if l["category"] in LABEL_CATEGORIES]
    print(f"label-category listings without a stated Indonesian label: "
          f"{share(lab, lambda l: l.get('label_id_lang') is not True)}", file=sys.stderr)
    phones = [l for l in listings if "imei_registered" in l or "sdppi_cert_no" in l]
    print(f"handsets: {len(phones)}; age-gated smoking products: "
          f"{share([l for l in listings if SMOKING.search(l['title'])], lambda l: l.get('age_gate'))}",
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
