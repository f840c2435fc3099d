//! NRM referrals, decisions, reconsiderations, Duty to Notify, deadlines and the overdue list.
