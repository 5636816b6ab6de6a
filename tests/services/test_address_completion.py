"""To, Cc and Bcc complete from the addresses in the user's own mail, the most used first."""

from __future__ import annotations

from pathlib import Path

from compose_world import World, build_world, eml
from sqlalchemy import Engine, event

from desktop.services.container import Services


def _mail(services: Services, world: World, folder: Path, senders: list[str]) -> None:
    paths = [
        eml(
            folder,
            f"m{number}",
            {
                "From": sender,
                "To": "Ada <ADA@stmary.org>",
                "Subject": f"Note {number}",
                "Message-ID": f"<note-{number}-{folder.name}@x>",
            },
            "Note.",
        )
        for number, sender in enumerate(senders)
    ]
    services.mailbox.import_files(world.ada, world.st_mary, paths)


def test_completion_offers_the_most_used_first_by_address_or_name_word(
    services: Services, tmp_path: Path
) -> None:
    world = build_world(services, tmp_path)
    batch = tmp_path / "batch"
    batch.mkdir()
    _mail(
        services,
        world,
        batch,
        ["Mara Okafor <mara@lab.example>"] * 3 + ['"Berg, Malte" <malte@lab.example>'] * 2,
    )
    found = services.composer.complete_addresses(world.ada, "ma")
    assert [(k.address, k.uses) for k in found] == [
        ("mara@lab.example", 3),
        ("malte@lab.example", 2),
    ]
    assert found[1].name == "Berg, Malte"
    assert found[1].formatted == '"Berg, Malte" <malte@lab.example>'
    assert [k.address for k in services.composer.complete_addresses(world.ada, "OKA")] == [
        "mara@lab.example"
    ]
    # From the rota: Bob and Cleo (St Mary), Dan in Cc; never Ada's own addresses.
    everyone = {k.address for k in services.composer.complete_addresses(world.ada, "", 50)}
    assert {"bob@stmary.org", "cleo@stmary.org", "dan@lab.example"} <= everyone
    assert not everyone & {"ada@stmary.org", "ada@clinic.org"}
    assert services.composer.complete_addresses(world.ada, "100%_") == []


def test_new_mail_is_counted_in_and_another_users_mail_is_never_offered(
    services: Services, tmp_path: Path
) -> None:
    world = build_world(services, tmp_path)
    assert services.composer.complete_addresses(world.ada, "malte") == []
    later = tmp_path / "later"
    later.mkdir()
    _mail(services, world, later, ["malte@lab.example"])
    assert [k.uses for k in services.composer.complete_addresses(world.ada, "malte")] == [1]
    assert services.composer.complete_addresses(world.cleo, "bob") == []
    assert [k.address for k in services.composer.complete_addresses(world.cleo, "x")] == [
        "x@lab.example"
    ]


def test_a_completion_with_nothing_new_only_reads(
    services: Services, engine: Engine, tmp_path: Path
) -> None:
    world = build_world(services, tmp_path)
    services.composer.complete_addresses(world.ada, "b")
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert services.composer.complete_addresses(world.ada, "bo")[0].address == "bob@stmary.org"
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
