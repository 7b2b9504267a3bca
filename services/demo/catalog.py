"""Demo catalog: ~60 items in several categories, with accessories and replacements linked."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from portal.models import Company, User
from portal.models.billing import to_minor
from portal.models.catalog import (
    CATALOG_CURRENCY,
    CatalogItem,
    CatalogLink,
    Opportunity,
    OpportunityNote,
    OpportunityProduct,
)

# (category, subcategory, ecosystem, manufacturer, vendor, [(part no., name, price, cost, stock)])
_FAMILIES: tuple[tuple[str, str, str, str, str, list[tuple[str, str, str, str, int]]], ...] = (
    (
        "Technology",
        "Network-Switch",
        "Networking",
        "Ubiquiti",
        "Ingram Micro",
        [
            ("USW-24-POE", "UniFi Switch 24 PoE", "399.00", "289.00", 6),
            ("USW-48-POE", "UniFi Switch 48 PoE", "849.00", "612.00", 2),
            ("USW-LITE-8", "UniFi Switch Lite 8 PoE", "109.00", "78.00", 14),
            ("USW-PRO-24", "UniFi Switch Pro 24", "699.00", "510.00", 0),
            ("USW-FLEX-MINI", "UniFi Flex Mini", "29.00", "19.50", 40),
        ],
    ),
    (
        "Technology",
        "Network-Wireless",
        "Networking",
        "Ubiquiti",
        "Ingram Micro",
        [
            ("U6-PRO", "UniFi U6 Pro access point", "159.00", "112.00", 18),
            ("U6-LR", "UniFi U6 Long-Range access point", "179.00", "126.00", 9),
            ("U7-PRO", "UniFi U7 Pro access point", "189.00", "138.00", 0),
            ("U6-MESH", "UniFi U6 Mesh outdoor access point", "179.00", "129.00", 4),
            ("UAP-AC-LITE", "UniFi AC Lite (previous generation)", "99.00", "70.00", 0),
        ],
    ),
    (
        "Technology",
        "Network-Router",
        "Networking",
        "Ubiquiti",
        "Ingram Micro",
        [
            ("UDM-PRO", "UniFi Dream Machine Pro", "379.00", "270.00", 3),
            ("UDM-SE", "UniFi Dream Machine SE", "499.00", "360.00", 1),
            ("UXG-LITE", "UniFi Gateway Lite", "129.00", "92.00", 7),
        ],
    ),
    (
        "Technology",
        "Network-Router",
        "Networking",
        "TP-Link",
        "TD Synnex",
        [
            ("ER605", "TP-Link Omada ER605 VPN router", "59.90", "41.00", 22),
            ("ER7206", "TP-Link Omada ER7206 gigabit router", "149.00", "104.00", 5),
        ],
    ),
    (
        "Technology",
        "Network-Wireless",
        "Networking",
        "TP-Link",
        "TD Synnex",
        [
            ("EAP650", "TP-Link Omada EAP650 access point", "119.00", "83.00", 11),
            ("EAP670", "TP-Link Omada EAP670 access point", "169.00", "118.00", 0),
        ],
    ),
    (
        "Technology",
        "Computer-Desktop",
        "Workplace",
        "Dell",
        "Dell Direct",
        [
            ("OPT7020-SFF", "Dell OptiPlex 7020 SFF", "899.99", "650.00", 5),
            ("OPT7020-MICRO", "Dell OptiPlex 7020 Micro", "849.00", "615.00", 3),
            ("OPT3000-TWR", "Dell OptiPlex 3000 Tower", "699.00", "505.00", 0),
        ],
    ),
    (
        "Technology",
        "Computer-Laptop",
        "Workplace",
        "Dell",
        "Dell Direct",
        [
            ("LAT5450", 'Dell Latitude 5450 14"', "1249.00", "930.00", 8),
            ("LAT7450", 'Dell Latitude 7450 14"', "1699.00", "1260.00", 2),
            ("PRE3591", "Dell Precision 3591 workstation", "2199.00", "1640.00", 1),
        ],
    ),
    (
        "Technology",
        "Computer-Laptop",
        "Workplace",
        "Lenovo",
        "TD Synnex",
        [
            ("T14-G5", "Lenovo ThinkPad T14 Gen 5", "1399.00", "1035.00", 6),
            ("X1C-G12", "Lenovo ThinkPad X1 Carbon Gen 12", "1999.00", "1480.00", 0),
        ],
    ),
    (
        "Technology",
        "Peripheral-Display",
        "Workplace",
        "Dell",
        "Dell Direct",
        [
            ("P2425H", "Dell 24 monitor P2425H", "239.00", "171.00", 25),
            ("U2724D", "Dell UltraSharp 27 QHD U2724D", "429.00", "310.00", 7),
            ("WD19S", "Dell WD19S USB-C dock", "219.00", "158.00", 12),
        ],
    ),
    (
        "Technology",
        "Peripheral-Input",
        "Workplace",
        "Logitech",
        "Ingram Micro",
        [
            ("MK540", "Logitech MK540 keyboard and mouse", "59.00", "38.00", 30),
            ("MX-KEYS-B", "Logitech MX Keys for Business", "119.00", "82.00", 10),
            ("C925E", "Logitech C925e webcam", "99.00", "68.00", 9),
        ],
    ),
    (
        "Field",
        "Video-Camera",
        "Video Surveillance",
        "Axis",
        "ADI Global",
        [
            ("P3265-LVE", "Axis P3265-LVE dome camera", "699.00", "515.00", 4),
            ("M3085-V", "Axis M3085-V mini dome", "299.00", "214.00", 10),
            ("Q6075-E", "Axis Q6075-E PTZ camera", "2899.00", "2140.00", 0),
            ("P1465-LE", "Axis P1465-LE bullet camera", "749.00", "552.00", 3),
        ],
    ),
    (
        "Field",
        "Video-Recorder",
        "Video Surveillance",
        "Axis",
        "ADI Global",
        [
            ("S3008-MK2", "Axis S3008 Mk II recorder 8 channels", "999.00", "738.00", 2),
            ("S1216-TWR", "Axis S1216 tower recorder", "3499.00", "2590.00", 1),
        ],
    ),
    (
        "Field",
        "AlarmBurg-Panels",
        "Burg/Alarm",
        "DSC",
        "ADI Global",
        [
            ("HS2128", "DSC PowerSeries Neo HS2128 panel", "289.00", "199.00", 6),
            ("HS2LCD", "DSC Neo LCD keypad", "119.00", "81.00", 12),
            ("PG9914", "DSC PowerG PIR motion detector", "69.00", "46.00", 40),
            ("PG9945", "DSC PowerG door/window contact", "45.00", "29.00", 55),
        ],
    ),
    (
        "Field",
        "Access-Control",
        "Access Control",
        "HID",
        "ADI Global",
        [
            ("HID-SIGNO-20", "HID Signo 20 reader", "249.00", "176.00", 8),
            ("HID-CARD-100", "HID Seos cards (100 pack)", "399.00", "288.00", 3),
        ],
    ),
    (
        "General",
        "Cables",
        "",
        "Generic",
        "Cable Warehouse",
        [
            ("CAT6-1M", "Cat6 patch cable 1 m", "3.50", "1.10", 400),
            ("CAT6-3M", "Cat6 patch cable 3 m", "5.50", "1.90", 260),
            ("CAT6A-305", "Cat6A bulk cable 305 m", "329.00", "228.00", 9),
            ("SFP-DAC-1M", "SFP+ direct-attach cable 1 m", "25.00", "14.00", 60),
        ],
    ),
    (
        "General",
        "Power",
        "",
        "APC",
        "Ingram Micro",
        [
            ("SMT1500RMI2U", "APC Smart-UPS 1500 VA rack", "899.00", "655.00", 2),
            ("BX950MI", "APC Back-UPS 950 VA", "139.00", "98.00", 14),
            ("AP7920B", "APC switched rack PDU", "1099.00", "815.00", 0),
        ],
    ),
    (
        "General",
        "Rack",
        "",
        "StarTech",
        "Ingram Micro",
        [
            ("RK12WALLOA", "StarTech 12U wall-mount rack", "249.00", "176.00", 4),
            ("PATCH-24", "24-port Cat6 patch panel", "79.00", "52.00", 15),
        ],
    ),
    (
        "Services",
        "Labor",
        "",
        "Agency",
        "",
        [
            ("SVC-INSTALL-HR", "On-site installation (per hour)", "125.00", "60.00", 0),
            ("SVC-CONFIG", "Network configuration package", "450.00", "200.00", 0),
            ("SVC-SURVEY", "Wireless site survey", "750.00", "320.00", 0),
            ("SVC-WARRANTY-3Y", "Extended hardware warranty, 3 years", "199.00", "120.00", 0),
        ],
    ),
)

# (source part number, target part number, kind)
_LINKS: tuple[tuple[str, str, str], ...] = (
    ("USW-24-POE", "CAT6-1M", "accessory"),
    ("USW-24-POE", "SFP-DAC-1M", "accessory"),
    ("USW-24-POE", "PATCH-24", "accessory"),
    ("USW-48-POE", "CAT6-1M", "accessory"),
    ("USW-48-POE", "PATCH-24", "accessory"),
    ("U6-PRO", "SVC-SURVEY", "accessory"),
    ("U6-PRO", "SVC-INSTALL-HR", "accessory"),
    ("UAP-AC-LITE", "U6-PRO", "replacement"),
    ("UAP-AC-LITE", "U6-LR", "replacement"),
    ("UDM-PRO", "SMT1500RMI2U", "accessory"),
    ("UDM-PRO", "SVC-CONFIG", "accessory"),
    ("OPT7020-SFF", "P2425H", "accessory"),
    ("OPT7020-SFF", "MK540", "accessory"),
    ("OPT7020-SFF", "SVC-WARRANTY-3Y", "accessory"),
    ("OPT3000-TWR", "OPT7020-SFF", "replacement"),
    ("LAT5450", "WD19S", "accessory"),
    ("LAT5450", "MX-KEYS-B", "accessory"),
    ("LAT5450", "SVC-WARRANTY-3Y", "accessory"),
    ("P3265-LVE", "S3008-MK2", "accessory"),
    ("P3265-LVE", "CAT6-3M", "accessory"),
    ("HS2128", "HS2LCD", "accessory"),
    ("HS2128", "PG9914", "accessory"),
    ("HS2128", "PG9945", "accessory"),
    ("EAP670", "EAP650", "replacement"),
)


def _minor(text: str) -> int:
    return to_minor(Decimal(text), CATALOG_CURRENCY)


def load_demo_catalog(session: Session) -> bool:
    """The demo catalog, once (nothing when any item exists)."""
    if session.exec(select(CatalogItem.id).limit(1)).first() is not None:
        return False
    by_pn: dict[str, CatalogItem] = {}
    for category, sub, ecosystem, maker, vendor, rows in _FAMILIES:
        for pn, name, price, cost, on_hand in rows:
            item = CatalogItem(
                identifier=pn,
                name=name,
                description=f"{name} ({maker})",
                category=category,
                subcategory=sub,
                ecosystem=ecosystem,
                manufacturer=maker,
                vendor_name=vendor,
                vendor_sku=f"{vendor[:3].upper()}-{pn}" if vendor else "",
                price_minor=_minor(price),
                cost_minor=_minor(cost),
                on_hand=on_hand,
                active=pn not in {"UAP-AC-LITE", "OPT3000-TWR"},
            )
            session.add(item)
            by_pn[pn] = item
    session.flush()
    for source, target, kind in _LINKS:
        session.add(
            CatalogLink(source_id=by_pn[source].id, target_id=by_pn[target].id, kind=kind)  # type: ignore[arg-type]
        )
    session.flush()
    return True


def demo_item(session: Session, identifier: str) -> CatalogItem | None:
    return session.exec(select(CatalogItem).where(CatalogItem.identifier == identifier)).first()


# (company slug, name, type id, stage, [(part number, quantity)])
_OPPORTUNITIES: tuple[tuple[str, str, int, str, list[tuple[str, str]]], ...] = (
    (
        "acme",
        "Acme HQ network refresh",
        3,
        "Proposal",
        [
            ("UDM-PRO", "1"),
            ("USW-24-POE", "2"),
            ("U6-PRO", "6"),
            ("CAT6-1M", "48"),
            ("SVC-CONFIG", "1"),
            ("SVC-INSTALL-HR", "8"),
        ],
    ),
    (
        "acme",
        "Acme desk refresh 2027",
        2,
        "Qualification",
        [
            ("OPT7020-SFF", "12"),
            ("P2425H", "12"),
            ("MK540", "12"),
        ],
    ),
    (
        "globex",
        "Globex warehouse cameras",
        4,
        "Negotiation",
        [
            ("P3265-LVE", "8"),
            ("S3008-MK2", "1"),
            ("CAT6A-305", "2"),
            ("SVC-INSTALL-HR", "16"),
        ],
    ),
    (
        "globex",
        "Globex alarm upgrade",
        1,
        "Prospect",
        [
            ("HS2128", "1"),
            ("HS2LCD", "2"),
            ("PG9914", "6"),
            ("PG9945", "10"),
        ],
    ),
)


# The opportunities that also live in the upstream CRM (refreshable once CRM_URL is set).
_CRM_IDS: dict[str, str] = {"Acme HQ network refresh": "456"}


def load_demo_opportunities(session: Session, companies: dict[str, Company], staff: User) -> bool:
    """Open opportunities with Acme and Globex, their lines from the demo catalog, once."""
    if session.exec(select(Opportunity.id).limit(1)).first() is not None:
        return False
    for slug, name, type_id, stage, lines in _OPPORTUNITIES:
        company = companies.get(slug)
        if company is None:
            continue
        opp = Opportunity(
            company_id=company.id,  # type: ignore[arg-type]
            name=name,
            type_id=type_id,
            stage=stage,
            sales_rep_id=staff.id,
            expected_close_date=date.today() + timedelta(days=30),
            crm_id=_CRM_IDS.get(name),
        )
        session.add(opp)
        session.flush()
        for sequence, (pn, quantity) in enumerate(lines, start=1):
            item = demo_item(session, pn)
            if item is None:
                continue
            session.add(
                OpportunityProduct(
                    opportunity_id=opp.id,  # type: ignore[arg-type]
                    catalog_item_id=item.id,
                    description=item.name,
                    quantity=Decimal(quantity),
                    unit_price=item.price,
                    sequence=sequence,
                )
            )
        session.add(
            OpportunityNote(
                opportunity_id=opp.id,  # type: ignore[arg-type]
                text=f"First call with {company.name}: scope agreed, quote to follow.",
                author_id=staff.id,
            )
        )
    session.flush()
    return True
