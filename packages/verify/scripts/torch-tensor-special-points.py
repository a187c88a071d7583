"""Values and gradients of tensor programs at special points (NaN, infinities, ties, huge
values), from PyTorch 1.13 in float64: the expected answers of
packages/verify/src/tensor-special-points.test.ts. Run with Debian's python3-torch:
/usr/bin/python3 torch-tensor-special-points.py > ../src/testing/torch-tensor-special-points.json"""
import importlib.util
import os
import torch

# answers() is the scalar script's (same format, nested lists for tensors).
_spec = importlib.util.spec_from_file_location('points', os.path.join(os.path.dirname(__file__), 'torch-special-points.py'))
_points = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_points)
answers = _points.answers

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
nan, inf = float('nan'), float('inf')

CASES = [
    # (source in our language, the same in torch, point: name -> list or number)
    ('param v: [3]\nmax(v)', lambda v: torch.amax(v), {'v': [3.0, 3.0, 1.0]}),
    ('param A: [2, 2]\nsum(max(A, axis=1))', lambda A: torch.amax(A, dim=1).sum(), {'A': [[nan, 1.0], [2.0, 3.0]]}),
    ('param v: [3]\nsqrt(max(v) - 1)', lambda v: torch.sqrt(torch.amax(v) - 1), {'v': [1.0, 0.0, -1.0]}),
    ('param v: [3]\nsqrt(min(v) + 1)', lambda v: torch.sqrt(torch.amin(v) + 1), {'v': [-1.0, 0.0, 1.0]}),
    ('param v: [3]\nlogsumexp(v)', lambda v: torch.logsumexp(v, 0), {'v': [-inf, -inf, -inf]}),
    ('param v: [3]\nlogsumexp(v)', lambda v: torch.logsumexp(v, 0), {'v': [1.0, -inf, -inf]}),
    ('param v: [3]\nlogsumexp(v)', lambda v: torch.logsumexp(v, 0), {'v': [1000.0, 1000.0, -1000.0]}),
    ('param v: [3]\nsum(log_softmax(v) * [1, 2, 3])', lambda v: (F.log_softmax(v, -1) * torch.tensor([1.0, 2.0, 3.0])).sum(), {'v': [1000.0, -1000.0, 0.0]}),
    ('param v: [3]\nsum(softmax(v) * [1, 2, 3])', lambda v: (F.softmax(v, -1) * torch.tensor([1.0, 2.0, 3.0])).sum(), {'v': [1000.0, -1000.0, 0.0]}),
    ('param v: [2]\nsum(relu(v))', lambda v: torch.relu(v).sum(), {'v': [0.0, nan]}),
    ('param v: [3]\nsum(abs(v))', lambda v: torch.abs(v).sum(), {'v': [0.0, -2.0, nan]}),
    ('param u: [2], w: [2]\nsum(max(u, w))', lambda u, w: torch.maximum(u, w).sum(), {'u': [1.0, nan], 'w': [1.0, 2.0]}),
    ('param x: [3]\nsum(x ^ 0)', lambda x: (x ** 0).sum(), {'x': [0.0, 2.0, -1.0]}),
    ('param A: [2, 2], v: [2]\nsum(A @ v)', lambda A, v: (A @ v).sum(), {'A': [[inf, 1.0], [2.0, 3.0]], 'v': [0.0, 1.0]}),
]

print(answers(CASES))
