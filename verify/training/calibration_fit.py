"""Fit verdict calibrations: temperature and class biases by NLL, and a temperature alone by grid search."""

from collections.abc import Sequence

import numpy as np

from verify.calibration import VerdictCalibration, softmax


def fit_calibration(
    logits: np.ndarray, gold: Sequence[int], fitted_on: str, iterations: int = 200
) -> VerdictCalibration:
    """Temperature and biases minimising NLL of ``gold`` (indexes of supported/disputed/unverified)."""
    import torch

    x = torch.tensor(np.asarray(logits, dtype=np.float64))
    y = torch.tensor(np.asarray(gold, dtype=np.int64))
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(2, dtype=torch.float64, requires_grad=True)  # the unverified bias stays 0
    optimizer = torch.optim.LBFGS([log_t, bias], lr=0.5, max_iter=iterations, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        z = x / log_t.exp() + torch.cat([bias, torch.zeros(1, dtype=torch.float64)])
        loss = torch.nn.functional.cross_entropy(z, y) + 1e-3 * (bias**2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    b = bias.detach().numpy()
    return VerdictCalibration(
        temperature=float(np.clip(log_t.exp().item(), 0.05, 20.0)),
        bias=(round(float(b[0]), 4), round(float(b[1]), 4), 0.0),
        fitted_on=fitted_on,
    )


def fit_temperature(calibrated_logits: np.ndarray, gold: Sequence[int]) -> float:
    """The temperature t in [0.2, 20] minimising NLL of ``gold`` under softmax(logits / t) (a log-spaced grid
    of 801 steps: one parameter, so a grid is exact enough and deterministic)."""
    z = np.asarray(calibrated_logits, dtype=np.float64)
    labels = np.asarray(gold, dtype=np.int64)
    grid = np.exp(np.linspace(np.log(0.2), np.log(20.0), 801))
    losses = [-np.log(softmax(z / t)[np.arange(len(labels)), labels] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(losses))])
