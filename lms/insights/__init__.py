"""What trainers see of their learners: course dashboard, quiz item analysis, lesson drop-off."""
