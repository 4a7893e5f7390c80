"""Optimizers: per-group (layer-wise) optimizers, BERT's `create_optimizer`
and `AdamWeightDecayOptimizer`, dynamic loss scaling, distribution helpers.

Builds on `tf1_schedules.schedules`; imports nothing from `slim` or `tools`.
"""
