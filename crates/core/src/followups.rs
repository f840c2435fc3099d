//! Follow-up plans and contacts, due and overdue lists, progress assessments.
