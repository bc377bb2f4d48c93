"""The review register: case files (结案案卷), reviewer pool (评查人员库), rubric versions."""
