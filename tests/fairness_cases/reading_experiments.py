"""Fairness cases for reading_experiments: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

CASES = {
    # --- correct, in other styles ---
    "diagnosis_by_losses_in_capitals": Case(answers={"diagnose": '''
def diagnose(history):
    loss, val_loss = history["loss"], history["val_loss"]
    rises = sum(later > earlier for earlier, later in zip(loss, loss[1:]))
    if rises >= 0.25 * (len(loss) - 1):
        return "Learning Rate Too High"
    first_gap = history["accuracy"][0] - history["val_accuracy"][0]
    if first_gap > 0.15 and history["accuracy"][-1] > 0.75:
        return "Batch-Norm Statistics"
    if loss[-1] > 0.5:
        return "Under-Fitting"
    if val_loss[-1] > 1.4 * min(val_loss):
        return "Over-Fitting"
    return "Healthy"
'''}),
    "diagnosis_by_scores_and_spaces": Case(answers={"diagnose": '''
def diagnose(history):
    train = np.array(history["accuracy"])
    val = np.array(history["val_accuracy"])
    jumps = np.abs(np.diff(val)).mean()
    signs = {
        "over fitting": train[-1] > 0.9 and train[-1] - val[-1] > 0.07 and val[0] >= train[0] - 0.02,
        "under fitting": train[-1] < 0.85 and abs(train[-1] - val[-1]) < 0.05 and jumps < 0.05,
        "learning rate too high": train.max() < 0.5 and jumps > 0.04,
        "batch norm statistics": train[0] > 0.75 and np.all(train - val > 0.2),
    }
    chosen = [label for label, shown in signs.items() if shown]
    return chosen[0] if len(chosen) == 1 else " Healthy "
'''}),
    "diagnosis_by_nearest_pattern": Case(answers={"diagnose": '''
def _features(history):
    loss, val_loss = np.asarray(history["loss"]), np.asarray(history["val_loss"])
    accuracy, val_accuracy = np.asarray(history["accuracy"]), np.asarray(history["val_accuracy"])
    # a climbing loss and the first epoch's gap weigh most: each alone tells one label from the rest
    return np.array([3 * np.mean(np.diff(loss) > 0), accuracy[-1], 3 * (accuracy[0] - val_accuracy[0]),
                     accuracy[-1] - val_accuracy[-1], 0.3 * min(val_loss[-1] / val_loss.min() - 1, 1)])

# Typical features of each label, read off the table: the nearest one wins.
_PATTERNS = {
    "learning rate too high": [1.5, 0.25, 0.0, 0.0, 0.1],
    "batch-norm statistics": [0.0, 0.97, 1.35, 0.55, 0.1],
    "over-fitting": [0.0, 1.0, -0.15, 0.15, 0.3],
    "under-fitting": [0.0, 0.65, 0.0, 0.0, 0.0],
    "healthy": [0.0, 0.97, -0.15, 0.01, 0.0],
}

def diagnose(history):
    features = _features(history)
    return min(_PATTERNS, key=lambda label: np.sum((features - np.array(_PATTERNS[label])) ** 2))
'''}),
    "interval_by_t_ppf_and_statistics": Case(answers={"seed_interval": '''
import statistics

def seed_interval(scores, confidence=0.95):
    scores = [float(score) for score in scores]
    if len(scores) < 2:
        raise ValueError("need two scores or more")
    half = stats.t.ppf(0.5 + confidence / 2, len(scores) - 1) * statistics.stdev(scores) / len(scores) ** 0.5
    return statistics.mean(scores) - half, statistics.mean(scores) + half
'''}),
    "interval_by_sem_in_float32": Case(answers={"seed_interval": '''
def seed_interval(scores, confidence=0.95):
    scores = np.asarray(scores, dtype=np.float32)
    if len(scores) <= 1:
        raise ValueError("at least two scores, please")
    error = stats.sem(scores)
    quantile = -stats.t.ppf((1 - confidence) / 2, len(scores) - 1)
    return np.array([scores.mean() - quantile * error, scores.mean() + quantile * error])
'''}),
    "binomial_tail_by_hand": Case(answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a).astype(int), np.asarray(correct_b).astype(int)
    if len(a) != len(b):
        raise ValueError("the two models must be tested on the same images")
    only_a, only_b = int(np.sum(a > b)), int(np.sum(b > a))
    n = only_a + only_b
    if n == 0:
        return 1.0
    return min(1.0, 2 * stats.binom.cdf(min(only_a, only_b), n, 0.5))
'''}),
    "binomial_tail_in_fractions": Case(answers={"mcnemar_exact": '''
from fractions import Fraction
from math import comb

def mcnemar_exact(correct_a, correct_b):
    if len(correct_a) != len(correct_b):
        raise ValueError(f"{len(correct_a)} results for A, {len(correct_b)} for B")
    pairs = list(zip([bool(x) for x in correct_a], [bool(x) for x in correct_b]))
    b = pairs.count((True, False))
    c = pairs.count((False, True))
    n = b + c
    tail = Fraction(sum(comb(n, k) for k in range(min(b, c) + 1)), 2 ** n)
    return float(min(Fraction(1), 2 * tail))
'''}),
    "binomtest_on_the_other_count": Case(answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    correct_a, correct_b = np.array(correct_a, dtype=bool), np.array(correct_b, dtype=bool)
    if correct_a.size != correct_b.size:
        raise ValueError("different numbers of images")
    disagree = correct_a != correct_b
    if not disagree.any():
        return np.float64(1.0)
    return stats.binomtest(int(correct_b[disagree].sum()), int(disagree.sum())).pvalue
'''}),
    "decision_inline_with_numpy_bool": Case(answers={"difference_is_real": '''
def difference_is_real(correct_a, correct_b, alpha=0.05):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    discordant = int(np.sum(a != b))
    if discordant == 0:
        return np.False_
    return stats.binomtest(int(np.sum(a & ~b)), discordant).pvalue < alpha
'''}),
    # --- wrong, each in one place ---
    "over_fitting_called_under_fitting": wrong("test_diagnose_fit", "diagnosed as", answers={"diagnose": '''
def diagnose(history):
    loss, val_loss = np.asarray(history["loss"]), np.asarray(history["val_loss"])
    gap = np.asarray(history["accuracy"]) - np.asarray(history["val_accuracy"])
    if np.mean(np.diff(loss) > 0) >= 1 / 3:
        return "learning rate too high"
    if history["accuracy"][-1] > 0.8 and gap[0] > 0.2:
        return "batch-norm statistics"
    # the two fitting labels mixed up: a validation loss that climbs back is not under-fitting
    if history["accuracy"][-1] < 0.8 or val_loss[-1] > 1.3 * val_loss.min():
        return "under-fitting"
    return "healthy"
'''}),
    "late_gap_read_as_over_fitting": wrong("test_diagnose_faults", "batch-norm statistics", answers={"diagnose": '''
def diagnose(history):
    loss = np.asarray(history["loss"])
    if np.mean(np.diff(loss) > 0) >= 1 / 3:
        return "learning rate too high"
    if history["accuracy"][-1] < 0.8:
        return "under-fitting"
    # any large gap at the end taken for over-fitting, without asking when it opened
    if history["accuracy"][-1] - history["val_accuracy"][-1] > 0.05:
        return "over-fitting"
    return "healthy"
'''}),
    "low_accuracy_read_as_under_fitting": wrong("test_diagnose_faults", "learning rate too high", answers={"diagnose": '''
def diagnose(history):
    accuracy, val_accuracy = history["accuracy"], history["val_accuracy"]
    val_loss = np.asarray(history["val_loss"])
    if accuracy[-1] < 0.8:
        return "under-fitting"
    if accuracy[0] - val_accuracy[0] > 0.2:
        return "batch-norm statistics"
    if accuracy[-1] - val_accuracy[-1] > 0.05 and val_loss[-1] > 1.3 * val_loss.min():
        return "over-fitting"
    return "healthy"
'''}),
    "labels_of_its_own": wrong("test_diagnose_fit", "not one of the labels", answers={"diagnose": '''
def diagnose(history):
    accuracy, val_accuracy = history["accuracy"], history["val_accuracy"]
    if np.mean(np.diff(history["loss"]) > 0) >= 1 / 3:
        return "learning rate too high"
    if accuracy[-1] > 0.8 and accuracy[0] - val_accuracy[0] > 0.2:
        return "batch-norm statistics"
    if accuracy[-1] < 0.8:
        return "underfit"
    if accuracy[-1] - val_accuracy[-1] > 0.05:
        return "overfit"
    return "healthy"
'''}),
    "normal_quantile": wrong("test_seed_interval", "Student's t", answers={"seed_interval": '''
def seed_interval(scores, confidence=0.95):
    scores = np.asarray(scores, dtype=float)
    if scores.size < 2:
        raise ValueError("two scores at least")
    half = stats.norm.ppf((1 + confidence) / 2) * scores.std(ddof=1) / np.sqrt(scores.size)
    return scores.mean() - half, scores.mean() + half
'''}),
    "population_standard_deviation": wrong("test_seed_interval", "ddof=0", answers={"seed_interval": '''
def seed_interval(scores, confidence=0.95):
    scores = np.asarray(scores, dtype=float)
    if scores.size < 2:
        raise ValueError("two scores at least")
    return stats.t.interval(confidence, scores.size - 1, loc=scores.mean(), scale=scores.std() / np.sqrt(scores.size))
'''}),
    "one_sided_quantile": wrong("test_seed_interval", "2.5%", answers={"seed_interval": '''
def seed_interval(scores, confidence=0.95):
    scores = np.asarray(scores, dtype=float)
    if scores.size < 2:
        raise ValueError("two scores at least")
    half = stats.t.ppf(confidence, scores.size - 1) * scores.std(ddof=1) / np.sqrt(scores.size)
    return scores.mean() - half, scores.mean() + half
'''}),
    "one_sided_p_value": wrong("test_mcnemar_exact", "one-sided", answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError("different lengths")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    if only_a + only_b == 0:
        return 1.0
    return stats.binom.cdf(min(only_a, only_b), only_a + only_b, 0.5)
'''}),
    # A wrong test makes the decision built on it wrong too.
    "every_image_counted": Case(fails=frozenset({"test_mcnemar_exact", "test_difference_is_real"}), words="discordant",
                                answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError("different lengths")
    # the test run over all images instead of the discordant ones
    return stats.binomtest(int(np.sum(a & ~b)), len(a), 0.5).pvalue
'''}),
    "chi_square_approximation": wrong("test_mcnemar_exact", "chi-square", answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError("different lengths")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    if only_a + only_b == 0:
        return 1.0
    return stats.chi2.sf((only_a - only_b) ** 2 / (only_a + only_b), df=1)
'''}),
    "doubled_tail_above_one": wrong("test_mcnemar_exact", "at most 1", answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError("different lengths")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    if only_a + only_b == 0:
        return 1.0
    return 2 * stats.binom.cdf(min(only_a, only_b), only_a + only_b, 0.5)
'''}),
    "no_discordant_pairs_crash": wrong("test_mcnemar_exact", "no discordant pairs", answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    a, b = np.asarray(correct_a, bool), np.asarray(correct_b, bool)
    if a.shape != b.shape:
        raise ValueError("different lengths")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    return stats.binomtest(only_a, only_a + only_b).pvalue
'''}),
    "silently_truncates": wrong("test_mcnemar_exact", "no ValueError", answers={"mcnemar_exact": '''
def mcnemar_exact(correct_a, correct_b):
    pairs = list(zip(correct_a, correct_b))
    only_a = sum(1 for a, b in pairs if a and not b)
    only_b = sum(1 for a, b in pairs if b and not a)
    if only_a + only_b == 0:
        return 1.0
    return stats.binomtest(only_a, only_a + only_b).pvalue
'''}),
    "unpaired_accuracies": wrong("test_difference_is_real", "unpaired", answers={"difference_is_real": '''
def difference_is_real(correct_a, correct_b, alpha=0.05):
    # two accuracies compared as if measured on different images (a two-proportion z test)
    a, b = np.mean(correct_a), np.mean(correct_b)
    pooled = (a + b) / 2
    spread = np.sqrt(2 * pooled * (1 - pooled) / len(correct_a))
    if spread == 0:
        return False
    return bool(2 * stats.norm.sf(abs(a - b) / spread) < alpha)
'''}),
    "one_standard_error_rule": wrong("test_difference_is_real", "within the noise", answers={"difference_is_real": '''
def difference_is_real(correct_a, correct_b, alpha=0.05):
    # chapter 5's rough rule: a gap of more than one binomial standard error, in images
    n = len(correct_a)
    gap = abs(int(np.sum(correct_a)) - int(np.sum(correct_b)))
    share = (np.mean(correct_a) + np.mean(correct_b)) / 2
    return bool(gap > max(1.0, np.sqrt(n * share * (1 - share))))
'''}),
    "alpha_ignored": wrong("test_difference_is_real", "alpha = 0.01", answers={"difference_is_real": '''
def difference_is_real(correct_a, correct_b, alpha=0.05):
    return bool(mcnemar_exact(correct_a, correct_b) < 0.05)
'''}),
}
