"""Reading what correspondents write: intent, items, quantities, dates, event, commune."""
