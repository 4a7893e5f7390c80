"""Seeing schedules: `preview` (values, plots, TensorBoard, gallery) and the
`tf1-schedules` command line (`cli`)."""
