"""Training data: render every catalog descriptor, featurize the renders, explore the table.

Entry points: :func:`mirloop.dataset.generate.generate_dataset` (``mirloop dataset generate``),
:func:`mirloop.dataset.report.write_report` (``mirloop dataset report``) and, for training,
:func:`mirloop.classify.feature_table.read_table` / :func:`~mirloop.classify.feature_table.windows_from_table`
(the feature table's format lives with the classifiers that read it, below the dataset layer).
"""
