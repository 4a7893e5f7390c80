"""Packaging for tf1_schedules."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"',
    (HERE / "tf1_schedules" / "__init__.py").read_text(),
    re.M,
).group(1)

setup(
    name="tf1_schedules",
    version=VERSION,
    description=(
        "TF1 learning-rate schedules, warmups and layer-wise optimizers on "
        "public TensorFlow 2.x ops, plus tf-slim on modern TF."
    ),
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["tf1_schedules", "tf1_schedules.*"]),
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16,<2.22",
        "tf-keras>=2.16,<2.22",
        "tf-slim>=1.1.0",
        "numpy>=1.26",
    ],
    extras_require={
        "test": ["pytest>=7", "hypothesis>=6.80", "matplotlib>=3.7",
                 "scikit-learn>=1.3", "tqdm>=4.60"],
        "examples": ["matplotlib>=3.7", "scikit-learn>=1.3", "tqdm>=4.60"],
    },
    entry_points={
        "console_scripts": ["tf1-schedules=tf1_schedules.tools.cli:main"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
