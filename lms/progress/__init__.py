"""The learner's record as derived from statements: enrolments, lesson progress, quiz
outcomes, completion rules, and the projectors that ``xapi.record`` hands statements to."""
