"""The book-build benchmark (bench/book_build.py) reads build times and glued values correctly.

The benchmark itself builds the whole book twice (about 45 minutes in full mode), so these tests
check its parts on small stand-ins for a build folder instead."""

from __future__ import annotations

import json

import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from bench import book_build
from bench.__main__ import BENCHMARKS


def test_book_build_is_a_registered_benchmark():
    assert BENCHMARKS["book_build"] == "bench.book_build"


def test_execution_seconds_come_from_the_jupyter_cache(tmp_path):
    cache = get_cache(tmp_path / "_build" / ".jupyter_cache")
    for name, seconds in [("01_convolution", 33.26), ("02_first_cnn", 84.51)]:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print('{name}')")],
                                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        cache.cache_notebook_bundle(CacheBundleIn(notebook, f"/book/chapters/{name}.md", data={"execution_seconds": seconds}),
                                    check_validity=False)
    assert book_build.execution_seconds(tmp_path / "_build") == {"01_convolution": 33.3, "02_first_cnn": 84.5}


def test_a_build_without_cache_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="jupyter cache"):
        book_build.execution_seconds(tmp_path)


def test_glued_values_are_read_from_myst_nb_side_files(tmp_path):
    executed = tmp_path / "02_first_cnn.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), executed)
    record = {"output_type": "display_data", "data": {"text/plain": "'99.41%'"},
              "metadata": {"scrapbook": {"name": "test_accuracy", "mime_prefix": "application/papermill.record/"}}}
    executed.with_suffix(".glue.json").write_text(json.dumps({"test_accuracy": record, "epochs": dict(record, data={"text/plain": "6"})}))
    assert book_build.built_glue(executed) == {"test_accuracy": "99.41%", "epochs": "6"}


def test_judge_applies_the_three_targets():
    fine = book_build.judge(40 * 60, {"01": 100.0, "02": 599.0}, 119.0)
    assert fine == {"total_target_met": True, "chapter_target_met": True, "chapters_over_target": [], "cached_target_met": True}
    slow = book_build.judge(46 * 60, {"01": 100.0, "05": 601.0}, 121.0)
    assert slow == {"total_target_met": False, "chapter_target_met": False, "chapters_over_target": ["05"],
                    "cached_target_met": False}
    # chapter 6 may take 15 minutes (issue #19), every other chapter 10
    longer = book_build.judge(40 * 60, {"06_unet_segmentation": 899.0, "05_transfer_learning": 601.0}, 60.0)
    assert longer["chapters_over_target"] == ["05_transfer_learning"]
    assert book_build.judge(40 * 60, {"06_unet_segmentation": 901.0}, 60.0)["chapters_over_target"] == [
        "06_unet_segmentation"]


def test_page_weights_count_the_page_and_each_file_it_loads_once(tmp_path):
    html = tmp_path / "html"
    (html / "_static").mkdir(parents=True)
    (html / "_images").mkdir()
    (html / "chapters").mkdir()
    (html / "_static" / "theme.js").write_bytes(b"x" * 1000)
    (html / "_static" / "theme.css").write_bytes(b"x" * 300)
    (html / "_images" / "figure one.png").write_bytes(b"x" * 5000)
    (html / "_sources").mkdir()
    (html / "_sources" / "not-a-page.html").write_text("<html></html>")
    page = ('<html><head><link rel="stylesheet" href="../_static/theme.css?v=1" />'
            '<script src="../_static/theme.js?v=2"></script><script src="../_static/theme.js"></script>'
            '<script src="https://cdn.example.org/library.js"></script><script>inline()</script></head>'
            '<body><img src="../_images/figure%20one.png"><img src="../_images/gone.png">'
            '<img src="data:image/png;base64,AAAA"></body></html>')
    (html / "chapters" / "01_convolution.html").write_text(page)
    (html / "index.html").write_text("<html><body>hello</body></html>")
    weights = book_build.page_weights(html)
    assert set(weights) == {"chapters/01_convolution.html", "index.html"}
    chapter = weights["chapters/01_convolution.html"]
    assert chapter == {"html": len(page), "images": 5000, "scripts": 1000, "styles": 300, "missing": 2,
                       "total": len(page) + 6300}
    assert weights["index.html"]["total"] == len("<html><body>hello</body></html>")
