"""Training data: render every catalog descriptor, featurize the renders, explore the table.

Entry points: :func:`mirloop.dataset.generate.generate_dataset` (``mirloop dataset generate``),
:func:`mirloop.dataset.report.write_report` (``mirloop dataset report``) and, for training,
:func:`mirloop.dataset.table.read_table` / :func:`~mirloop.dataset.table.windows_from_table`.
"""
