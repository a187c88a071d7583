"""Values and gradients at special points, from PyTorch in float64: the expected
answers of packages/verify/src/special-points.test.ts. Run with Debian's
python3-torch (apt-get install python3-torch): /usr/bin/python3 torch-special-points.py"""
import json
import re
import torch

torch.set_default_dtype(torch.float64)
F = torch.nn.functional
nan, inf = float('nan'), float('inf')

CASES = [
    # (source in our language, the same in torch, point)
    ('param a, b\nmax(a, b)', lambda a, b: torch.maximum(a, b), {'a': nan, 'b': 1.0}),
    ('param a, b\nmax(a, b)', lambda a, b: torch.maximum(a, b), {'a': 1.0, 'b': nan}),
    ('param a, b\nmin(a, b)', lambda a, b: torch.minimum(a, b), {'a': nan, 'b': 1.0}),
    ('param a, b\nmax(a, b)', lambda a, b: torch.maximum(a, b), {'a': 1.0, 'b': 1.0}),
    ('param a, b, c\nsqrt(c) * max(a, b)', lambda a, b, c: torch.sqrt(c) * torch.maximum(a, b), {'a': 2.0, 'b': 1.0, 'c': -1.0}),
    ('param a, b, c\nsqrt(c) * min(a, b)', lambda a, b, c: torch.sqrt(c) * torch.minimum(a, b), {'a': 2.0, 'b': 1.0, 'c': -1.0}),
    ('param a, b, c\nsqrt(c) * max(a, b)', lambda a, b, c: torch.sqrt(c) * torch.maximum(a, b), {'a': 1.0, 'b': 1.0, 'c': -1.0}),
    ('param x\nrelu(x)', lambda x: torch.relu(x), {'x': nan}),
    ('param x, c\nsqrt(c) * relu(x)', lambda x, c: torch.sqrt(c) * torch.relu(x), {'x': -1.0, 'c': -1.0}),
    ('param x\nabs(x)', lambda x: torch.abs(x), {'x': nan}),
    ('param x, c\nabs(x) / c', lambda x, c: torch.abs(x) / c, {'x': 0.0, 'c': 0.0}),
    ('param x\nlog1p(sin(pow(x, acos(x)))^0)', lambda x: torch.log1p(torch.sin(torch.pow(x, torch.acos(x))) ** 0), {'x': 1.23}),
    ('param x\nsin(x)^0', lambda x: torch.sin(x) ** 0, {'x': inf}),
    ('param x, y, z\npow(x, y) * z', lambda x, y, z: torch.pow(x, y) * z, {'x': 0.0, 'y': 0.0, 'z': inf}),
    ('param x, y\npow(x, y)', lambda x, y: torch.pow(x, y), {'x': 0.0, 'y': 2.0}),
    ('param x, y\npow(x, y)', lambda x, y: torch.pow(x, y), {'x': 0.0, 'y': -1.0}),
    ('param x, y\npow(x, y)', lambda x, y: torch.pow(x, y), {'x': -1.0, 'y': 0.5}),
    ('param x\nx^2', lambda x: x ** 2, {'x': -3.0}),
    ('param x\nsigmoid(x)', lambda x: torch.sigmoid(x), {'x': -40.0}),
    ('param x\nsoftplus(x)', lambda x: F.softplus(x), {'x': 1000.0}),
    ('param x\ngelu(x)', lambda x: F.gelu(x, approximate='tanh'), {'x': 3.0}),
]


def answers(cases):
    """Each case's value and gradient from torch, as the tests' JSON (non-finite numbers as strings)."""
    out = []
    for source, f, point in cases:
        xs = {k: torch.tensor(v, requires_grad=True) for k, v in point.items()}
        y = f(*xs.values())
        y.backward()
        out.append({'source': source, 'at': point, 'value': y.item(),
                    'gradient': {k: x.grad.tolist() for k, x in xs.items()}})
    text = json.dumps(out, indent=1, allow_nan=True)
    return re.sub(r'(?<![\w"])(-?Infinity|NaN)', r'"\1"', text)


if __name__ == '__main__':
    print(answers(CASES))
