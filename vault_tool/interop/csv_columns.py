"""Which field a CSV column fills: Google Contacts' (both layouts), Outlook's and Thunderbird's export
columns, the vault's own export, and common names in any other CSV; `--map` overrides.

A column maps to a :class:`Target`. Columns of one email, phone, address or
website carry a label (`Home Phone` is a home phone); Google's numbered
groups (`E-mail 1 - Type`, `E-mail 1 - Value`) share a slot, and the type
column gives the label of the value column in the same slot. A file with the
vault's own columns (`handle`, `name`, `uid`, `notes` …: `export --format
csv`) is read as the vault wrote it: its other columns are custom fields of
exactly their names, and `vcard` holds the kept vCard lines. A file with no header row (no column name
this table knows) is read in Thunderbird's column order, THUNDERBIRD_COLUMNS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from vault_tool.format.contact import KNOWN_FIELDS


@dataclass(frozen=True)
class Target:
    field: str  # a vault field, "notes", "handle", "name.<part>", "address.<part>", "label", "custom", "" (left out)
    label: str = ""  # home, work, cell, fax …; for "custom" the field's name
    slot: str = ""  # Google's numbered group (`e-mail 1`): its type column labels its value column


IGNORE = Target("")
VCARD_COLUMN = "vcard"
# The vault's own columns (`export --format csv`): a file with all of these is read as the vault wrote it,
# every other column a custom field of exactly that name.
VAULT_OWN = frozenset({"handle", *KNOWN_FIELDS, "notes", VCARD_COLUMN})

_NAME_PARTS = {
    "first name": "given", "given name": "given", "first": "given", "firstname": "given", "given": "given",
    "middle name": "additional", "additional name": "additional", "middle": "additional",
    "last name": "family", "family name": "family", "surname": "family", "last": "family", "lastname": "family",
    "name prefix": "prefix", "prefix": "prefix", "salutation": "prefix", "name suffix": "suffix", "suffix": "suffix",
}
_FIELDS = {
    "name": "name", "full name": "name", "display name": "name", "fn": "name", "contact name": "name",
    "company": "company", "organization": "company", "organisation": "company", "org": "company",
    "organization name": "company", "organisation name": "company", "employer": "company",
    "job title": "title", "title": "title", "position": "title", "role": "title", "organization title": "title",
    "tags": "tags", "labels": "tags", "groups": "tags", "group membership": "tags", "categories": "tags",
    "category": "tags", "notes": "notes", "note": "notes", "comments": "notes", "comment": "notes",
    "birthday": "birthday", "birth date": "birthday", "date of birth": "birthday", "dob": "birthday",
    "bday": "birthday",
    "address": "address", "uid": "uid", "kind": "kind", "stage": "stage", "owner": "owner",
    "keep_in_touch": "keep_in_touch", "keep in touch": "keep_in_touch", "handle": "handle",
    "emails": "emails", "phones": "phones", "links": "links",
    "connected on": "met",  # LinkedIn's Connections.csv: the day the contact was made
}
_EMAILS = {
    "email": "", "e-mail": "", "email address": "", "e-mail address": "", "mail": "", "primary email": "",
    "email 1": "", "e-mail 1": "", "e-mail 2 address": "", "e-mail 3 address": "", "email 2": "", "email 3": "",
    "secondary email": "", "email home": "home", "home email": "home", "personal email": "home",
    "email work": "work", "work email": "work", "business email": "work", "email other": "", "other email": "",
}
_PHONES = {
    "phone": "", "phone number": "", "telephone": "", "tel": "", "mobile": "cell", "mobile phone": "cell",
    "mobile number": "cell", "cell": "cell", "cell phone": "cell", "home mobile": "cell", "home phone": "home",
    "home phone 2": "home", "business phone": "work", "business phone 2": "work", "work phone": "work",
    "primary phone": "pref", "company main phone": "work", "other phone": "", "home fax": "home,fax",
    "business fax": "work,fax", "other fax": "fax", "fax number": "fax", "fax": "fax", "pager": "pager",
    "pager number": "pager", "car phone": "car", "isdn": "isdn", "phone video": "video", "callback": "",
    "radio phone": "", "tty/tdd phone": "textphone", "telex": "", "assistant's phone": "assistant",
}
_WEBSITES = {
    "website": "", "web site": "", "web page": "", "web page 1": "", "web page 2": "", "homepage": "homepage",
    "home page": "homepage", "url": "", "personal web page": "home", "business web page": "work",
    "website home page": "homepage", "website work": "work", "website blog": "blog", "website profile": "profile",
    "website other": "",
}
_ADDRESS_PARTS = {
    "street": "street", "street 2": "street", "street 3": "street", "address": "street", "address 2": "street",
    "address2": "street",  # Thunderbird's English `Home Address2`: the street's second line, as `Home Address 2`
    "address po box": "pobox", "po box": "pobox", "city": "city", "state": "region", "region": "region",
    "postal code": "postal", "zip": "postal", "zip code": "postal", "zipcode": "postal", "country": "country",
    "country/region": "country",
}
_ADDRESS = re.compile(r"^(home|business|work|other) (" + "|".join(map(re.escape, _ADDRESS_PARTS)) + r")$")
_GOOGLE = re.compile(r"^(e-mail|phone|address|organization|website|relation|event|im|custom field) (\d+) - (.+)$")
_GOOGLE_PARTS = {"formatted": "formatted", "street": "street", "city": "city", "po box": "pobox",
                 "region": "region", "postal code": "postal", "country": "country", "extended address": "extended"}
# Column names other-language Thunderbird, Outlook and Windows Live Mail exports write (normalised), as the
# English column of the same meaning. Several values: the first column so named is the first, the next the
# second (French Thunderbird writes `Ville` for the home city, then again for the work city; French Outlook
# writes `Titre` for the name's prefix, then again for the job title).
TRANSLATIONS: dict[str, tuple[str, ...]] = {
    # German (Thunderbird, Outlook, Windows Live Mail)
    "vorname": ("first name",), "nachname": ("last name",), "anzeigename": ("display name",),
    "spitzname": ("nickname",), "primäre e-mail-adresse": ("primary email",),
    "sekundäre e-mail-adresse": ("secondary email",), "messenger-name": ("screen name",),
    "tel. dienstlich": ("work phone",), "tel. privat": ("home phone",), "fax-nummer": ("fax number",),
    "pager-nummer": ("pager number",), "mobil-tel.-nr.": ("mobile number",), "privat: adresse": ("home address",),
    "privat: adresse 2": ("home address 2",), "privat: ort": ("home city",), "privat: bundesland": ("home state",),
    "privat: plz": ("home zipcode",), "privat: land": ("home country",), "dienstlich: adresse": ("work address",),
    "dienstlich: adresse 2": ("work address 2",), "dienstlich: ort": ("work city",),
    "dienstlich: bundesland": ("work state",), "dienstlich: plz": ("work zipcode",),
    "dienstlich: land": ("work country",), "arbeitstitel": ("job title",), "abteilung": ("department",),
    "organisation": ("organization",), "webseite 1": ("web page 1",), "webseite 2": ("web page 2",),
    "geburtsjahr": ("birth year",), "geburtsmonat": ("birth month",), "geburtstag": ("birthday",),
    "benutzerdef. 1": ("custom 1",), "benutzerdef. 2": ("custom 2",), "benutzerdef. 3": ("custom 3",),
    "benutzerdef. 4": ("custom 4",), "notizen": ("notes",), "anrede": ("name prefix",),
    "weitere vornamen": ("middle name",), "2. vorname": ("middle name",), "firma": ("company",),
    "position": ("job title",), "straße geschäftlich": ("business street",),
    "ort geschäftlich": ("business city",), "region geschäftlich": ("business state",),
    "postleitzahl geschäftlich": ("business postal code",), "land/region geschäftlich": ("business country",),
    "straße privat": ("home street",), "ort privat": ("home city",), "region privat": ("home state",),
    "postleitzahl privat": ("home postal code",), "land/region privat": ("home country",),
    "weitere straße": ("other street",), "weiterer ort": ("other city",), "weitere region": ("other state",),
    "weitere postleitzahl": ("other postal code",), "weiteres land/region": ("other country",),
    "telefon geschäftlich": ("business phone",), "telefon geschäftlich 2": ("business phone 2",),
    "fax geschäftlich": ("business fax",), "telefon privat": ("home phone",), "telefon privat 2": ("home phone 2",),
    "fax privat": ("home fax",), "mobiltelefon": ("mobile phone",), "autotelefon": ("car phone",),
    "haupttelefon": ("primary phone",), "weiteres telefon": ("other phone",), "weiteres fax": ("other fax",),
    "e-mail-adresse": ("e-mail address",), "e-mail-typ": ("e-mail type",), "e-mail 2: adresse": ("e-mail 2 address",),
    "e-mail 2: typ": ("e-mail 2 type",), "e-mail 3: adresse": ("e-mail 3 address",), "e-mail 3: typ": ("e-mail 3 type",),
    "kategorien": ("categories",), "webseite": ("web page",),
    "straße (privat)": ("home street",), "ort (privat)": ("home city",), "postleitzahl (privat)": ("home postal code",),
    "bundesland (privat)": ("home state",), "land/region (privat)": ("home country",),
    "telefon (privat)": ("home phone",), "fax (privat)": ("home fax",), "webseite (privat)": ("personal web page",),
    "straße (geschäftlich)": ("business street",), "ort (geschäftlich)": ("business city",),
    "postleitzahl (geschäftlich)": ("business postal code",), "bundesland (geschäftlich)": ("business state",),
    "land/region (geschäftlich)": ("business country",), "webseite (geschäftlich)": ("business web page",),
    "telefon (geschäftlich)": ("business phone",), "fax (geschäftlich)": ("business fax",),
    "straße geschäftlich 2": ("business street 2",), "straße geschäftlich 3": ("business street 3",),
    "straße privat 2": ("home street 2",), "straße privat 3": ("home street 3",),
    "weitere straße 2": ("other street 2",), "weitere straße 3": ("other street 3",),
    "bundesland/kanton privat": ("home state",), "bundesland/kanton geschäftlich": ("business state",),
    "weiteres/r bundesland/kanton": ("other state",), "weiteres/e land/region": ("other country",),
    "postfach geschäftlich": ("business address po box",), "postfach privat": ("home address po box",),
    "weiteres postfach": ("other address po box",), "telefon firma": ("company main phone",),
    # French
    "prénom": ("first name",), "nom de famille": ("last name",), "nom": ("last name",),
    "nom à afficher": ("display name",), "surnom": ("nickname",),
    "adresse électronique principale": ("primary email",), "adresse électronique secondaire": ("secondary email",),
    "tél. professionnel": ("work phone",), "tél. personnel": ("home phone",), "portable": ("mobile number",),
    "adresse privée": ("home address",), "adresse privée 2": ("home address 2",),
    "adresse professionnelle": ("work address",), "adresse professionnelle 2": ("work address 2",),
    "ville": ("home city", "work city"), "état/province": ("home state", "work state"),
    "code postal": ("home zipcode", "work zipcode"), "pays/région": ("home country", "work country"),
    "profession": ("job title",), "service": ("department",), "société": ("company",),
    "site web 1": ("web page 1",), "site web 2": ("web page 2",), "année de naissance": ("birth year",),
    "mois": ("birth month",), "jour": ("birth day",), "deuxième prénom": ("middle name",),
    "titre": ("name prefix", "job title"),
    "suffixe": ("suffix",), "rue (bureau)": ("business street",), "ville (bureau)": ("business city",),
    "dép/région (bureau)": ("business state",), "code postal (bureau)": ("business postal code",),
    "pays/région (bureau)": ("business country",), "rue (domicile)": ("home street",),
    "ville (domicile)": ("home city",), "dép/région (domicile)": ("home state",),
    "code postal (domicile)": ("home postal code",), "pays/région (domicile)": ("home country",),
    "téléphone (bureau)": ("business phone",), "télécopie (bureau)": ("business fax",),
    "téléphone (domicile)": ("home phone",), "tél. mobile": ("mobile phone",),
    "adresse de messagerie": ("e-mail address",), "adresse de messagerie 2": ("e-mail 2 address",),
    "anniversaire": ("birthday",), "catégories": ("categories",), "page web": ("web page",),
    "adresse de courrier": ("e-mail address",), "adresse de courrier 2": ("e-mail 2 address",),  # newer Outlook
    "adresse de courrier 3": ("e-mail 3 address",), "adresse de messagerie 3": ("e-mail 3 address",),
    "type de courrier": ("e-mail type",), "type de courrier 2": ("e-mail 2 type",),
    "type de courrier 3": ("e-mail 3 type",), "type de messagerie": ("e-mail type",),
    "type de messagerie 2": ("e-mail 2 type",), "type de messagerie 3": ("e-mail 3 type",),
    "nom complet de l'adresse de courrier": ("e-mail display name",),
    "nom complet de l'adresse de messagerie": ("e-mail display name",),
    "rue (bureau) 2": ("business street 2",), "rue (bureau) 3": ("business street 3",),
    "rue (domicile) 2": ("home street 2",), "rue (domicile) 3": ("home street 3",), "rue (autre)": ("other street",),
    "rue (autre) 2": ("other street 2",), "rue (autre) 3": ("other street 3",), "ville (autre)": ("other city",),
    "dép/région (autre)": ("other state",), "code postal (autre)": ("other postal code",),
    "pays/région (autre)": ("other country",), "téléphone 2 (bureau)": ("business phone 2",),
    "téléphone 2 (domicile)": ("home phone 2",), "télécopie (domicile)": ("home fax",),
    "télécopie (autre)": ("other fax",), "téléphone (autre)": ("other phone",),
    "téléphone société": ("company main phone",), "téléphone principal": ("primary phone",),
    "téléphone (voiture)": ("car phone",), "récepteur de radiomessagerie": ("pager",),
    "anniversaire de mariage ou fête": ("anniversary",), "b.p. professionnelle": ("business address po box",),
    "boîte postale du domicile": ("home address po box",), "autre boîte postale": ("other address po box",),
    "téléphone de l'assistant(e)": ("assistant's phone",), "rnis": ("isdn",), "téléphone tdd/tty": ("tty/tdd phone",),
    # Spanish
    "nombre": ("first name",), "apellidos": ("last name",), "apellido": ("last name",),
    "segundo nombre": ("middle name",), "nombre en pantalla": ("display name",), "apodo": ("nickname",),
    "dirección de correo electrónico principal": ("primary email",),
    "dirección de correo electrónico secundaria": ("secondary email",),
    "dirección de correo electrónico": ("e-mail address",), "teléfono (trabajo)": ("work phone",),
    "teléfono (particular)": ("home phone",), "teléfono del trabajo": ("business phone",),
    "teléfono particular": ("home phone",), "teléfono móvil": ("mobile phone",), "número de fax": ("fax number",),
    "dirección personal": ("home address",), "dirección de trabajo": ("work address",),
    "ciudad": ("home city", "work city"), "provincia": ("home state", "work state"),
    "código postal": ("home zipcode", "work zipcode"), "país": ("home country", "work country"),
    "calle del trabajo": ("business street",), "ciudad de trabajo": ("business city",),
    "código postal del trabajo": ("business postal code",), "país o región del trabajo": ("business country",),
    "puesto": ("job title",), "cargo": ("job title",), "departamento": ("department",),
    "organización": ("company",), "empresa": ("company",), "página web": ("web page",),
    "página web 1": ("web page 1",), "página web 2": ("web page 2",), "año de nacimiento": ("birth year",),
    "mes de nacimiento": ("birth month",), "día de nacimiento": ("birth day",), "cumpleaños": ("birthday",),
    "categorías": ("categories",), "notas": ("notes",), "sufijo": ("suffix",),
    "dirección de correo electrónico 2": ("e-mail 2 address",),
    "dirección del correo electrónico 3": ("e-mail 3 address",),
    "tipo de correo electrónico 2": ("e-mail 2 type",), "tipo de correo electrónico 3": ("e-mail 3 type",),
    # Italian
    "nome": ("first name",), "cognome": ("last name",), "secondo nome": ("middle name",),
    "nome visualizzato": ("display name",), "soprannome": ("nickname",), "email principale": ("primary email",),
    "email secondaria": ("secondary email",), "telefono lavoro": ("work phone",), "telefono casa": ("home phone",),
    "telefono di lavoro": ("business phone",), "telefono di casa": ("home phone",),
    "numero cellulare": ("mobile number",), "telefono mobile": ("mobile phone",), "cellulare": ("mobile phone",),
    "numero fax": ("fax number",), "indirizzo di casa": ("home address",), "indirizzo di lavoro": ("work address",),
    "città di residenza": ("home city",), "provincia di residenza": ("home state",),
    "cap di residenza": ("home zipcode",), "nazione di residenza": ("home country",),
    "città di lavoro": ("work city",), "provincia di lavoro": ("work state",), "cap di lavoro": ("work zipcode",),
    "nazione di lavoro": ("work country",), "qualifica": ("job title",), "reparto": ("department",),
    "organizzazione": ("organization",), "società": ("company",), "indirizzo e-mail": ("e-mail address",),
    "compleanno": ("birthday",), "categorie": ("categories",), "note": ("notes",), "titolo": ("name prefix",),
    "anno di nascita": ("birth year",), "mese di nascita": ("birth month",), "giorno di nascita": ("birth day",),
    "indirizzo posta elettronica": ("e-mail address",), "indirizzo posta elettronica 2": ("e-mail 2 address",),
    "indirizzo posta elettronica 3": ("e-mail 3 address",), "tipo posta elettronica": ("e-mail type",),
    "tipo posta elettronica 2": ("e-mail 2 type",), "tipo posta elettronica 3": ("e-mail 3 type",),
    # Dutch
    "voornaam": ("first name",), "achternaam": ("last name",), "middelste naam": ("middle name",),
    "weergavenaam": ("display name",), "bijnaam": ("nickname",), "primair e-mailadres": ("primary email",),
    "secundair e-mailadres": ("secondary email",), "e-mailadres": ("e-mail address",),
    "e-mailadres 2": ("e-mail 2 address",), "telefoon werk": ("work phone",), "telefoon thuis": ("home phone",),
    "telefoon op werk": ("business phone",), "mobiele telefoon": ("mobile phone",), "mobiel": ("mobile phone",),
    "faxnummer": ("fax number",), "thuisadres": ("home address",), "werkadres": ("work address",),
    "woonplaats": ("home city",), "postcode": ("home zipcode", "work zipcode"), "land": ("home country", "work country"),
    "plaats": ("home city", "work city"), "straat (werk)": ("business street",), "plaats (werk)": ("business city",),
    "postcode (werk)": ("business postal code",), "land/regio (werk)": ("business country",),
    "straat (thuis)": ("home street",), "plaats (thuis)": ("home city",), "postcode (thuis)": ("home postal code",),
    "land/regio (thuis)": ("home country",), "functie": ("job title",), "afdeling": ("department",),
    "organisatie": ("organization",), "bedrijf": ("company",), "verjaardag": ("birthday",),
    "categorieën": ("categories",), "notities": ("notes",), "opmerkingen": ("notes",), "webpagina": ("web page",),
    # Portuguese
    "sobrenome": ("last name",), "apelido": ("nickname",), "nome de exibição": ("display name",),
    "e-mail principal": ("primary email",), "e-mail secundário": ("secondary email",),
    "endereço de email": ("e-mail address",), "endereço de e-mail": ("e-mail address",),
    "telefone comercial": ("business phone",), "telefone residencial": ("home phone",),
    "telefone celular": ("mobile phone",), "telemóvel": ("mobile phone",), "celular": ("mobile phone",),
    "rua comercial": ("business street",), "cidade comercial": ("business city",),
    "estado comercial": ("business state",), "cep comercial": ("business postal code",),
    "país/região comercial": ("business country",), "rua residencial": ("home street",),
    "cidade residencial": ("home city",), "estado residencial": ("home state",),
    "cep residencial": ("home postal code",), "país/região residencial": ("home country",),
    "aniversário": ("birthday",), "anotações": ("notes",),
    "página da web": ("web page",), "categorias": ("categories",),
    "endereço de email 2": ("e-mail 2 address",), "endereço de email 3": ("e-mail 3 address",),
    "tipo de email": ("e-mail type",), "tipo de email 2": ("e-mail 2 type",), "tipo de email 3": ("e-mail 3 type",),
    # Polish
    "imię": ("first name",), "nazwisko": ("last name",), "drugie imię": ("middle name",),
    "wyświetlana nazwa": ("display name",), "pseudonim": ("nickname",), "główny adres e-mail": ("primary email",),
    "dodatkowy adres e-mail": ("secondary email",), "adres e-mail": ("e-mail address",),
    "telefon służbowy": ("business phone",), "telefon domowy": ("home phone",),
    "telefon komórkowy": ("mobile phone",), "numer faksu": ("fax number",), "adres domowy": ("home address",),
    "adres służbowy": ("work address",), "miasto": ("home city", "work city"),
    "województwo": ("home state", "work state"), "kod pocztowy": ("home zipcode", "work zipcode"),
    "kraj": ("home country", "work country"), "stanowisko": ("job title",), "dział": ("department",),
    "organizacja": ("organization",), "urodziny": ("birthday",), "kategorie": ("categories",),
    "notatki": ("notes",), "adres e-mail 2": ("e-mail 2 address",), "adres e-mail 3": ("e-mail 3 address",),
    "typ poczty e-mail": ("e-mail type",), "rodzaj e-mail 2": ("e-mail 2 type",), "rodzaj e-mail 3": ("e-mail 3 type",),
    # Swedish
    "förnamn": ("first name",), "efternamn": ("last name",), "mellannamn": ("middle name",),
    "visningsnamn": ("display name",), "smeknamn": ("nickname",), "primär e-postadress": ("primary email",),
    "sekundär e-postadress": ("secondary email",), "e-postadress": ("e-mail address",),
    "telefon arbete": ("work phone",), "telefon hem": ("home phone",), "arbetstelefon": ("business phone",),
    "hemtelefon": ("home phone",), "mobilnummer": ("mobile number",), "hemadress": ("home address",),
    "arbetsadress": ("work address",), "postort": ("home city", "work city"),
    "postnummer": ("home zipcode", "work zipcode"), "befattning": ("job title",), "avdelning": ("department",),
    "företag": ("company",), "födelsedag": ("birthday",), "kategorier": ("categories",),
    "anteckningar": ("notes",), "webbsida": ("web page",),
    # Japanese
    "名": ("first name",), "姓": ("last name",), "ミドル ネーム": ("middle name",), "表示名": ("display name",),
    "ニックネーム": ("nickname",), "電子メールアドレス": ("primary email",), "電子メール アドレス": ("e-mail address",),
    "電子メール 2 アドレス": ("e-mail 2 address",), "勤務先電話番号": ("work phone",), "自宅電話番号": ("home phone",),
    "携帯電話番号": ("mobile number",), "会社電話": ("business phone",), "自宅電話": ("home phone",),
    "携帯電話": ("mobile phone",), "fax 番号": ("fax number",), "自宅住所": ("home address",),
    "勤務先住所": ("work address",), "市区町村": ("home city", "work city"), "都道府県": ("home state", "work state"),
    "郵便番号": ("home zipcode", "work zipcode"), "国": ("home country", "work country"),
    "勤務先 番地": ("business street",), "勤務先 市区町村": ("business city",),
    "勤務先 都道府県": ("business state",), "勤務先 郵便番号": ("business postal code",),
    "勤務先 国/地域": ("business country",), "自宅 番地": ("home street",), "自宅 市区町村": ("home city",),
    "自宅 都道府県": ("home state",), "自宅 郵便番号": ("home postal code",), "自宅 国/地域": ("home country",),
    "役職": ("job title",), "部署": ("department",), "所属": ("organization",), "会社名": ("company",),
    "敬称": ("name prefix",), "誕生日": ("birthday",), "分類項目": ("categories",), "メモ": ("notes",),
    "電子メール 3 アドレス": ("e-mail 3 address",), "電子メールの種類": ("e-mail type",),
    "電子メール 2 の種類": ("e-mail 2 type",), "電子メール 3 の種類": ("e-mail 3 type",),
}
_LEFT_OUT = {"e-mail type", "e-mail 2 type", "e-mail 3 type"}  # Outlook's SMTP/EX transport, not a label
# Thunderbird's columns in the order it writes and reads them (its address book's exportAttributes): the
# columns of a file with no header row.
THUNDERBIRD_COLUMNS = (
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email", "Screen Name",
    "Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number", "Home Address", "Home Address 2",
    "Home City", "Home State", "Home ZipCode", "Home Country", "Work Address", "Work Address 2", "Work City",
    "Work State", "Work ZipCode", "Work Country", "Job Title", "Department", "Organization", "Web Page 1",
    "Web Page 2", "Birth Year", "Birth Month", "Birth Day", "Custom 1", "Custom 2", "Custom 3", "Custom 4", "Notes",
)
_ADDRESS_LABELS = {"business": "work"}


def normalise(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def custom_key(header: str) -> str:
    """A custom field's name from a column's: `Shoe Size` -> `shoe_size`."""
    key = re.sub(r"[^\w]+", "_", normalise(header).replace("'", "")).strip("_")
    return key if key and not key[0].isdigit() else f"column_{key}".rstrip("_")


def _google(match: re.Match[str]) -> Target:
    group, number, part = match.group(1), match.group(2), match.group(3)
    slot = f"{group} {number}"
    if part in ("type", "label", "service"):
        return Target("label", slot=slot)
    if group == "e-mail":
        return Target("emails", slot=slot)
    if group == "phone":
        return Target("phones", slot=slot)
    if group == "website":
        return Target("links", slot=slot)
    if group == "address":
        return Target(f"address.{_GOOGLE_PARTS.get(part, 'street')}", slot=slot)
    if group == "organization" and number == "1" and part in ("name", "title"):
        return Target("company" if part == "name" else "title")
    if group in ("relation", "event", "im", "custom field") and part == "value":
        return Target("custom", slot=slot)
    return Target("custom", custom_key(f"{group} {number} {part}" if number != "1" else f"{group} {part}"))


def _one(header: str, headers: set[str]) -> Target:
    if header in _LEFT_OUT:
        return IGNORE
    google = _GOOGLE.match(header)
    if google:
        return _google(google)
    address = _ADDRESS.match(header)
    if address:
        label = _ADDRESS_LABELS.get(address.group(1), address.group(1))
        part = _ADDRESS_PARTS[address.group(2)]
        if address.group(2) == "address" and f"{address.group(1)} street" in headers:
            part = "formatted"  # Outlook: `Home Address` is the whole address when `Home Street` is there too
        return Target(f"address.{part}", label=label, slot=f"address {label}")
    if header in _NAME_PARTS and not (header == "title" and "job title" in headers):
        return Target(f"name.{_NAME_PARTS[header]}")
    if header == "title" and "job title" in headers:
        return Target("name.prefix")  # Outlook's `Title` is Mr./Ms.; its job title is `Job Title`
    for table, field_name in ((_EMAILS, "emails"), (_PHONES, "phones"), (_WEBSITES, "links")):
        if header in table:
            return Target(field_name, label=table[header])
    if header in _FIELDS:
        return Target(_FIELDS[header])
    if header == VCARD_COLUMN:
        return Target(VCARD_COLUMN)  # the kept vCard lines, `HEAD: value` a line: the vault's own exports
    if header == "photo":
        return Target("custom", "photo_url")  # Google's Photo column holds a URL, not a file beside the contact
    return Target("custom", custom_key(header))


def translated(names: list[str]) -> list[str]:
    """Normalised column names with other languages' names in English (TRANSLATIONS), when the file's columns
    are not English already."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        english = TRANSLATIONS.get(name, ())
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(english[min(count, len(english) - 1)] if english else name)
    return out


def is_known(header: str) -> bool:
    """Whether ``header`` names a column this table knows, in any of its languages (Thunderbird's own columns
    too): a header row has one, a first row of data (Thunderbird's files without a header) none."""
    name = normalise(header)
    english = TRANSLATIONS.get(name, (name,))[0]
    if english in {normalise(c) for c in THUNDERBIRD_COLUMNS}:
        return True
    target = _one(english, set())
    return not (target.field == "custom" and not target.slot and target.label == custom_key(english))


def targets(headers: list[str], overrides: dict[str, str]) -> list[Target]:
    """The target of each column; ``overrides`` (normalised column -> field, '' to leave it out) come first."""
    raw = [normalise(h) for h in headers]
    names = translated(raw)
    present = set(names)
    own = {"handle", "name", "uid", "notes"} <= set(raw)  # the vault's own export: custom columns as named
    out = []
    for header, original, name in zip(headers, raw, names):
        if original in overrides:
            out.append(_override(overrides[original]))
        elif not name:
            out.append(IGNORE)
        elif own and original not in VAULT_OWN:
            out.append(Target("custom", header.replace("\ufeff", "").strip()))
        elif own:
            out.append(_one(original, present))
        else:
            out.append(_one(name, present))
    return _unique_custom(out)


def _override(field_name: str) -> Target:
    if not field_name:
        return IGNORE
    if field_name in ("emails", "phones", "links", "notes", "handle") or field_name in KNOWN_FIELDS:
        return Target(field_name)
    if field_name.startswith("name.") and field_name[5:] in set(_NAME_PARTS.values()):
        return Target(field_name)
    return Target("custom", field_name)


def _unique_custom(targets_: list[Target]) -> list[Target]:
    seen: dict[str, int] = {}
    out = []
    for target in targets_:
        if target.field == "custom" and target.label:
            count = seen.get(target.label, 0) + 1
            seen[target.label] = count
            if count > 1:
                target = Target("custom", f"{target.label}_{count}")
        out.append(target)
    return out
