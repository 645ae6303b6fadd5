"""The GDPR information clause: its text is the manager's to edit in the KIS settings (with a
Polish default), it prints for the participant's signature from their file, and the date it
was handed over is kept on the participant (the start page counts those missing)."""

from django.urls import reverse

from kis_site.admin import KisSettingsForm
from kis_site.gdpr import DEFAULT_CLAUSE, clause_text
from kis_site.models import KisSettings
from tests.records import pdf_words


def test_a_new_club_has_the_polish_default_with_its_placeholders_filled_in(db):
    kis = KisSettings.load()
    assert kis.rodo_clause == DEFAULT_CLAUSE
    kis.name, kis.operating_entity = "KIS Radom", "Stowarzyszenie Razem"
    kis.email, kis.phone = "kis@example.pl", "48 111 22 33"
    text = clause_text(kis)
    assert "Administratorem Pani/Pana danych osobowych jest Stowarzyszenie Razem" in text
    assert "kis@example.pl, 48 111 22 33" in text
    assert "Prezesa Urzędu Ochrony Danych Osobowych" in text
    assert "{" not in text
    # A placeholder whose field is empty becomes a line to fill in by hand; an emptied text is
    # printed as the default.
    kis.email = kis.phone = ""
    kis.rodo_clause = "   "
    assert "kontaktować: ________________" in clause_text(kis)


def test_the_clause_prints_with_the_persons_name_and_the_managers_text(
    participant, case_manager, client_for
):
    kis = KisSettings.load()
    data = {
        name: value
        for name, value in KisSettingsForm(instance=kis).initial.items()
        if value is not None
    }
    data["expected_version"] = kis.version  # the optimistic lock, as the admin page sends it
    data["rodo_clause"] = "Administratorem danych jest {administrator}.\n\nTekst kierownika 2026."
    form = KisSettingsForm(instance=kis, data=data)
    assert form.is_valid(), form.errors
    form.save()

    client = client_for(case_manager)
    page = client.get(reverse("participants:detail", args=[participant.pk]))
    url = reverse("participants:rodo-clause", args=[participant.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    words = pdf_words(response.content)
    assert "INFORMACJA O PRZETWARZANIU DANYCH OSOBOWYCH" in words
    assert "Tekst kierownika 2026." in words
    assert "Łukasz Żółkiewski" in words
    assert "Potwierdzam, że otrzymałam/otrzymałem" in words


def test_who_may_not_see_the_file_may_not_print_its_clause(participant, trainer, client_for):
    response = client_for(trainer).get(reverse("participants:rodo-clause", args=[participant.pk]))
    assert response.status_code in (403, 404)
