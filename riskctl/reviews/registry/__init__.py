"""The review register (registry): case files (结案案卷), the reviewer pool (评查人员库), rubric versions."""
