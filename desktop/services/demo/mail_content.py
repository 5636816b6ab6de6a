"""Realistic, deterministic demo mail for the three demo profiles.

The messages are built as real RFC 5322 messages with the stdlib ``email`` package and enter the
store through the normal import path, so the demo exercises the same parsing a user's own mail
does: encoded non-ASCII names, HTML with a remote image (blocked by default), attachments,
replies. Nothing here refers to a real person or patient.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime


@dataclass(frozen=True)
class DemoOrganization:
    domain: str
    colleagues: tuple[tuple[str, str], ...]
    topics: tuple[tuple[str, str], ...]
    newsletter: str


_SIGN_OFFS = ("Best,", "Thanks,", "Kind regards,", "Cheers,", "Many thanks,")

HOSPITAL = DemoOrganization(
    domain="stolaf-hospital.example",
    colleagues=(
        ("Zoë Müller", "z.mueller"),
        ("Marcus Chen", "m.chen"),
        ("Priya Raman", "p.raman"),
        ("Ward 4B Nursing Desk", "ward4b"),
        ("Radiology Scheduling", "radiology"),
        ("Dr. José Núñez", "j.nunez"),
    ),
    topics=(
        (
            "Rota for the week of {day}",
            "The updated rota is attached. Please check your on-call nights and let me know by "
            "Friday if anything clashes.",
        ),
        (
            "Handover notes: ward 4B, case #{n}",
            "Case #{n} was reviewed on the evening round. Bloods are back within range; the plan "
            "is to step down to oral antibiotics tomorrow if the morning observations are stable.",
        ),
        (
            "MRI slot confirmed for case #{n}",
            "The MRI slot for case #{n} is confirmed for 14:30 on {day}. Transport is booked; "
            "please sign the request form on the ward before noon.",
        ),
        (
            "Grand rounds on {day}: sepsis pathway update",
            "Grand rounds moves to the lecture theatre on level 2 this week. We will walk through "
            "the revised sepsis pathway; slides will be shared afterwards.",
        ),
        (
            "Locum cover request for {day}",
            "Could you cover the evening clinic on {day}? I can swap for any weekend in the next "
            "month.",
        ),
        (
            "Audit results: discharge summaries Q{q}",
            "The Q{q} audit is in: 91% of discharge summaries were sent within 24 hours, up from "
            "84%. Thank you all; the full report is on the intranet.",
        ),
        (
            "Reminder: mandatory fire safety training",
            "Our records show your fire safety training expires this month. Sessions run every "
            "Tuesday at 08:00 in the education centre.",
        ),
        (
            "Theatre list changes for {day}",
            "Two cases moved to the afternoon list on {day}; anaesthetics are aware. The updated "
            "list is on the board outside theatre 3.",
        ),
    ),
    newsletter="St. Olaf Staff Bulletin",
)

CLINIC = DemoOrganization(
    domain="riverside-clinic.example",
    colleagues=(
        ("Hannah O'Brien", "h.obrien"),
        ("Tomás Ferreira", "t.ferreira"),
        ("Clinic Reception", "reception"),
        ("Dr. Aiko Tanaka", "a.tanaka"),
        ("Safeguarding Lead", "safeguarding"),
    ),
    topics=(
        (
            "Clinic list for {day}",
            "The list for the morning clinic on {day} is ready: eleven booked, two urgent slots "
            "left open. An interpreter is confirmed for the 10:15 appointment.",
        ),
        (
            "Referral received: ref {n}",
            "A new referral (ref {n}) arrived from the community team. Suggested priority: "
            "routine. The notes are in the referral inbox.",
        ),
        (
            "Vaccination catch-up session on {day}",
            "We are running a catch-up vaccination session on {day}. Please flag any families who "
            "missed their appointments this term.",
        ),
        (
            "Parent feedback summary",
            "Thank you for the lovely comments this month. Three families mentioned how clearly "
            "the care plan was explained.",
        ),
        (
            "Re: follow-up appointment, ref {n}",
            "The family asked to move the follow-up for ref {n} to {day}. I have pencilled it in; "
            "please confirm you are happy with the later slot.",
        ),
        (
            "Room booking for the asthma clinic",
            "Room 3 is booked for the asthma clinic every Thursday this quarter. The spirometer "
            "was serviced last week.",
        ),
    ),
    newsletter="Riverside Clinic News",
)

INFORMATICS = DemoOrganization(
    domain="northwind-health.example",
    colleagues=(
        ("Service Desk", "servicedesk"),
        ("Lena Kowalski", "l.kowalski"),
        ("Change Advisory Board", "cab"),
        ("Monitoring", "alerts"),
        ("Björn Lindqvist", "b.lindqvist"),
    ),
    topics=(
        (
            "Ticket #{n}: password reset for a ward terminal",
            "Ticket #{n} is assigned to you. Please confirm the caller's identity by their "
            "support ID sentence before resetting anything.",
        ),
        (
            "Change request CR-{n}: mail server certificate renewal",
            "CR-{n} is approved for the maintenance window on {day}. Rollback plan: restore the "
            "previous certificate chain from the vault.",
        ),
        (
            "Backup report for {day}: all jobs succeeded",
            "All backup jobs completed. Largest job: 412 GB in 3 h 12 min. No errors, no warnings.",
        ),
        (
            "Alert resolved: disk usage on records-db-{q}",
            "Disk usage on records-db-{q} is back under 70% after the log rotation fix. No action "
            "needed.",
        ),
        (
            "Access review due: {n} accounts to confirm",
            "The quarterly access review is open. Please confirm or revoke the {n} accounts listed "
            "in the portal by the end of the week.",
        ),
        (
            "Maintenance window on {day}",
            "The directory servers will be patched on {day} between 22:00 and 23:30. Sign-ins may "
            "be slow for a few minutes.",
        ),
    ),
    newsletter="Northwind Security Digest",
)


def _attachment(rng: random.Random) -> tuple[bytes, str, str, str]:
    choices = (
        (b"%PDF-1.4\n% demo rota\n", "application", "pdf", "rota.pdf"),
        (b"date,shift,name\n2026-01-05,night,on call\n", "text", "csv", "shifts.csv"),
        (b"BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "text", "calendar", "invite.ics"),
    )
    return choices[rng.randrange(len(choices))]


def _html_newsletter(title: str, domain: str) -> str:
    return (
        f"<html><body><h2>{title}</h2>"
        f'<img src="https://news.{domain}/banner.png" alt="banner" width="600">'
        "<p>This month: new parking arrangements, the staff awards shortlist, and a reminder "
        "to complete your data protection training.</p>"
        f'<p><a href="https://news.{domain}/read-more">Read more</a></p>'
        f'<img src="https://track.{domain}/open.gif" width="1" height="1">'
        "</body></html>"
    )


def demo_messages(
    org: DemoOrganization, recipient: str, count: int, now: datetime, seed: int
) -> Iterator[EmailMessage]:
    """Yield ``count`` messages to ``recipient``, spread over the 45 days before ``now``."""
    rng = random.Random(seed)
    for index in range(count):
        sent = now - timedelta(minutes=rng.randrange(5, 45 * 24 * 60))
        day = (sent + timedelta(days=rng.randrange(1, 8))).strftime("%A %d %B")
        message = EmailMessage()
        if index % 23 == 0:
            message["From"] = f"{org.newsletter} <newsletter@{org.domain}>"
            message["Subject"] = f"{org.newsletter}: {sent.strftime('%B')} edition"
            message.set_content("This newsletter is best viewed as HTML.")
            message.add_alternative(_html_newsletter(org.newsletter, org.domain), subtype="html")
        else:
            name, local = org.colleagues[rng.randrange(len(org.colleagues))]
            numbers = {"n": rng.randrange(1000, 9999), "q": rng.randrange(1, 5), "day": day}
            subject, body = org.topics[rng.randrange(len(org.topics))]
            sign_off = _SIGN_OFFS[rng.randrange(len(_SIGN_OFFS))]
            message["From"] = f"{name} <{local}@{org.domain}>"
            message["Subject"] = subject.format(**numbers)
            message.set_content(f"Hello,\n\n{body.format(**numbers)}\n\n{sign_off}\n{name}\n")
            if rng.random() < 0.12:
                data, maintype, subtype, filename = _attachment(rng)
                message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        message["To"] = recipient
        message["Date"] = format_datetime(sent)
        message["Message-ID"] = f"<demo-{seed}-{index}@{org.domain}>"
        yield message
