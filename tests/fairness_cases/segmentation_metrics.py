"""Fairness cases for segmentation_metrics: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

CASES = {
    # --- correct, in other styles ---
    "float_arithmetic_and_divide_where": Case(answers={"dice_per_image": '''
def dice_per_image(pred, target):
    p = np.asarray(pred).astype(np.float64).reshape(np.shape(pred)[0], -1)
    t = np.asarray(target).astype(np.float64).reshape(np.shape(target)[0], -1)
    numerator = 2 * (p * t).sum(axis=1)
    denominator = p.sum(axis=1) + t.sum(axis=1)
    return np.divide(numerator, denominator, out=np.ones_like(numerator), where=denominator > 0)
''', "dice_pooled": '''
def dice_pooled(pred, target):
    p, t = np.asarray(pred, np.float32), np.asarray(target, np.float32)
    denominator = p.sum() + t.sum()
    return np.float32(1.0) if denominator == 0 else 2 * (p * t).sum() / denominator
'''}),
    "squeeze_logical_and_errstate": Case(answers={"dice_per_image": '''
def dice_per_image(pred, target):
    pred, target = np.asarray(pred) == 1, np.asarray(target) == 1
    if pred.ndim == 4:
        pred, target = pred[..., 0], target[..., 0]
    overlap = np.logical_and(pred, target).sum(axis=(1, 2))
    total = pred.sum(axis=(1, 2)) + target.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = 2 * overlap / total
    return np.where(np.isnan(scores), 1.0, scores)
''', "iou_per_image": '''
def iou_per_image(pred, target):
    pred, target = np.squeeze(np.asarray(pred, bool), axis=-1) if np.ndim(pred) == 4 else np.asarray(pred, bool), \\
        np.squeeze(np.asarray(target, bool), axis=-1) if np.ndim(target) == 4 else np.asarray(target, bool)
    with np.errstate(invalid="ignore"):
        scores = (pred & target).sum(axis=(1, 2)) / (pred | target).sum(axis=(1, 2))
    return np.nan_to_num(scores, nan=1.0)
'''}),
    "loop_with_a_branch": Case(answers={"dice_per_image": '''
def dice_per_image(pred, target):
    scores = []
    for p, t in zip(pred, target):
        p, t = p.astype(bool), t.astype(bool)
        size = np.count_nonzero(p) + np.count_nonzero(t)
        if size == 0:
            scores.append(1.0)
        else:
            scores.append(2 * np.count_nonzero(p & t) / size)
    return np.array(scores)
''', "iou_per_image": '''
def iou_per_image(pred, target):
    result = []
    for p, t in zip(np.asarray(pred, bool), np.asarray(target, bool)):
        union = np.count_nonzero(p | t)
        result.append(1.0 if not union else np.count_nonzero(p & t) / union)
    return result
'''}),
    "helper_cell_and_iou_from_dice": Case(
        added={"dice_per_image": '''
def per_image_counts(pred, target):
    """|P & T|, |P| and |T| of each image, for masks of any shape after the batch axis."""
    pred = np.asarray(pred).astype(bool)
    target = np.asarray(target).astype(bool)
    axes = tuple(range(1, pred.ndim))
    return (pred & target).sum(axis=axes), pred.sum(axis=axes), target.sum(axis=axes)
'''},
        answers={"dice_per_image": '''
def dice_per_image(pred, target):
    both, p, t = per_image_counts(pred, target)
    safe = np.where(p + t == 0, 1, p + t)
    return np.where(p + t == 0, 1.0, 2 * both / safe)
''', "iou_per_image": '''
def iou_per_image(pred, target):
    dice = dice_per_image(pred, target)
    return dice / (2 - dice)
'''}),
    "numpy_numbers_and_xor": Case(answers={"dice_pooled": '''
def dice_pooled(pred, target):
    found = np.count_nonzero(np.logical_and(pred, target))
    sizes = np.count_nonzero(pred) + np.count_nonzero(target)
    return np.float64(2 * found / sizes) if sizes else np.float64(1)
''', "pixel_error": '''
def pixel_error(pred, target):
    return np.mean(np.logical_xor(np.asarray(pred, bool), np.asarray(target, bool)))
'''}),
    "signed_integers_for_pixel_error": Case(answers={"pixel_error": '''
def pixel_error(pred, target):
    difference = np.asarray(pred).astype(np.int16) - np.asarray(target).astype(np.int16)
    return np.count_nonzero(difference) / difference.size
'''}),
    "grid_search_with_own_dice": Case(answers={"choose_threshold": '''
def choose_threshold(probabilities, masks):
    masks = np.asarray(masks, dtype=bool)
    best_threshold, best_score = 0.5, -1.0
    for threshold in np.linspace(0, 1, 101):
        chosen = probabilities > threshold
        score = 2 * np.sum(chosen & masks) / max(1, np.sum(chosen) + np.sum(masks))
        if score > best_score:
            best_threshold, best_score = threshold, score
    return best_threshold
'''}),
    "unique_probabilities_and_searchsorted": Case(answers={"choose_threshold": '''
def choose_threshold(probabilities, masks):
    probabilities = np.asarray(probabilities, dtype=np.float32).ravel()
    masks = np.asarray(masks).astype(bool).ravel()
    candidates = np.unique(probabilities)
    everything = np.sort(probabilities)
    on_membrane = np.sort(probabilities[masks])
    predicted = everything.size - np.searchsorted(everything, candidates, side="right")
    found = on_membrane.size - np.searchsorted(on_membrane, candidates, side="right")
    dice = 2 * found / (predicted + on_membrane.size)
    return np.float32(candidates[np.argmax(dice)])
'''}),
    "coarse_then_fine_grid": Case(answers={"choose_threshold": '''
def _pooled(p, m, t):
    chosen = p > t
    return 2 * np.logical_and(chosen, m).sum() / (chosen.sum() + m.sum())

def choose_threshold(probabilities, masks):
    p, m = np.asarray(probabilities), np.asarray(masks).astype(bool)
    coarse = np.arange(0.0, 1.0001, 0.05)
    centre = coarse[np.argmax([_pooled(p, m, t) for t in coarse])]
    fine = np.clip(np.arange(centre - 0.05, centre + 0.0501, 0.002), 0, 1)
    return float(fine[np.argmax([_pooled(p, m, t) for t in fine])])
''', "metrics_disagree": '''
def metrics_disagree():
    return " c\\n"
'''}),
    # --- wrong, each in one place ---
    "empty_pair_scores_zero": wrong("test_dice_per_image", "both masks empty", answers={"dice_per_image": '''
def dice_per_image(pred, target):
    pred = np.asarray(pred, bool).reshape(len(pred), -1)
    target = np.asarray(target, bool).reshape(len(target), -1)
    return 2 * (pred & target).sum(axis=1) / np.maximum(pred.sum(axis=1) + target.sum(axis=1), 1)
'''}),
    "empty_pair_scores_nan": wrong("test_dice_per_image", "both masks empty", answers={"dice_per_image": '''
def dice_per_image(pred, target):
    pred = np.asarray(pred, float).reshape(len(pred), -1)
    target = np.asarray(target, float).reshape(len(target), -1)
    return 2 * (pred * target).sum(axis=1) / (pred.sum(axis=1) + target.sum(axis=1))
'''}),
    "plus_on_bool_masks": wrong("test_dice_per_image", "with bool masks", answers={"dice_per_image": '''
def dice_per_image(pred, target):
    pred, target = np.asarray(pred), np.asarray(target)
    axes = tuple(range(1, pred.ndim))
    overlap = np.sum(pred * target, axis=axes)
    total = np.sum(pred + target, axis=axes)
    return np.where(total == 0, 1.0, 2 * overlap / np.maximum(total, 1))
'''}),
    "channel_axis_kept": wrong("test_dice_per_image", "(3, 4, 4, 1)", answers={"dice_per_image": '''
def dice_per_image(pred, target):
    pred, target = np.asarray(pred, bool), np.asarray(target, bool)
    overlap = (pred & target).sum(axis=(1, 2))
    total = pred.sum(axis=(1, 2)) + target.sum(axis=(1, 2))
    return np.where(total == 0, 1.0, 2 * overlap / np.maximum(total, 1))
'''}),
    "iou_by_the_dice_formula": wrong("test_iou_per_image", "2/6", answers={"iou_per_image": '''
def iou_per_image(pred, target):
    pred = np.asarray(pred, bool).reshape(len(pred), -1)
    target = np.asarray(target, bool).reshape(len(target), -1)
    total = pred.sum(axis=1) + target.sum(axis=1)
    return np.where(total == 0, 1.0, 2 * (pred & target).sum(axis=1) / np.maximum(total, 1))
'''}),
    "iou_over_the_wrong_axes": wrong("test_iou_per_image", "one score per image", answers={"iou_per_image": '''
def iou_per_image(pred, target):
    pred, target = np.asarray(pred, bool), np.asarray(target, bool)
    union = (pred | target).sum(axis=(0, 2))
    return np.where(union == 0, 1.0, (pred & target).sum(axis=(0, 2)) / np.maximum(union, 1))
'''}),
    "pooled_as_mean_of_images": wrong("test_dice_pooled", "mean of the three per-image scores", answers={"dice_pooled": '''
def dice_pooled(pred, target):
    return float(np.mean(dice_per_image(pred, target)))
'''}),
    "accuracy_for_error": wrong("test_pixel_error", "pixel accuracy", answers={"pixel_error": '''
def pixel_error(pred, target):
    return float(np.mean(np.asarray(pred, bool) == np.asarray(target, bool)))
'''}),
    "error_per_image": wrong("test_pixel_error", "one number for the whole batch", answers={"pixel_error": '''
def pixel_error(pred, target):
    wrong = np.asarray(pred, bool) != np.asarray(target, bool)
    return wrong.reshape(len(wrong), -1).mean(axis=1)
'''}),
    "unsigned_subtraction": wrong("test_pixel_error", "wrap around", answers={"pixel_error": '''
def pixel_error(pred, target):
    return float(np.mean(np.abs(np.asarray(pred) - np.asarray(target))))
'''}),
    "threshold_fixed_at_half": wrong("test_choose_threshold", "choose the threshold that scores best", answers={
        "choose_threshold": '''
def choose_threshold(probabilities, masks):
    return 0.5
'''}),
    "threshold_tuned_on_heldout": wrong("test_choose_threshold", "look at its arguments alone", answers={
        "choose_threshold": '''
def choose_threshold(probabilities, masks):
    grid = np.linspace(0, 1, 101)
    scores = [dice_pooled(heldout_probabilities > t, heldout_masks) for t in grid]
    return float(grid[np.argmax(scores)])
'''}),
    "threshold_on_calibration_and_heldout": wrong("test_choose_threshold", "look at its arguments alone", answers={
        "choose_threshold": '''
def choose_threshold(probabilities, masks):
    # more slices, a steadier choice
    everything = np.concatenate([probabilities, heldout_probabilities])
    truth = np.concatenate([masks, heldout_masks])
    grid = np.linspace(0, 1, 101)
    return float(grid[np.argmax([dice_pooled(everything > t, truth) for t in grid])])
'''}),
    "threshold_from_the_notebook_arrays": wrong("test_choose_threshold", "bolder network", answers={
        "choose_threshold": '''
def choose_threshold(probabilities, masks):
    grid = np.linspace(0, 1, 101)
    return float(grid[np.argmax([dice_pooled(calibration_probabilities > t, calibration_masks) for t in grid])])
'''}),
    "wrong_statement": wrong("test_metrics_disagree", "hidden case", answers={"metrics_disagree": '''
def metrics_disagree():
    return "B"
'''}),
}
