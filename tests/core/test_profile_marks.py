"""Profile marks: the letters beside a profile's colour on every row."""

from desktop.core.profile_marks import initials, profile_marks


def test_initials_skip_small_words_and_punctuation() -> None:
    assert initials("St. Olaf University Hospital") == "SO"
    assert initials("Riverside Children's Clinic") == "RC"
    assert initials("Hôpital de la Pitié-Salpêtrière") == "HP"
    assert initials("University of Leeds") == "UL"
    assert initials("Northwind") == "No"
    assert initials("3M") == "M"
    assert initials("112") == "?"


def test_marks_are_unique_among_one_users_profiles() -> None:
    assert profile_marks(["St Mary's Hospital", "St Mary's Hospital", "Riverside Clinic"]) == [
        "SM",
        "SM2",
        "RC",
    ]
