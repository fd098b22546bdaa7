"""Reading and writing other tools' formats: vCard, CSV, JSON, iCalendar."""
