"""Networks of chapters 5 and later: MLPs, a small CNN, a small ResNet, and K of them at once.

Every constructor takes a ``seed``: the same seed gives the same initial weights, whatever the
global torch random state (the weights are drawn inside :func:`torch.random.fork_rng`).

Training many seeds is what makes the course's mean ± std curves affordable. Two stacked versions
train K independent networks in one batched pass:

* :class:`BatchedMLP` stores the K weight matrices of each layer as one (K, in, out) tensor
  (:class:`StackedLayers`, the storage it shares with :class:`biascourse.igb.MLPEnsemble`) and
  uses batched matrix products (one large matrix product for the first layer when the K networks
  see the same inputs);
* :class:`ModelStack` stacks any architecture (CNN, ResNet) with ``torch.func``: the parameters
  get a leading K axis and the forward pass is vectorised with :func:`torch.func.vmap`.

Model ``k`` of a stack starts from exactly the weights of the single network built with
``seeds[k]``. Because the stack's loss is the sum of the K networks' losses, and SGD, momentum,
weight decay and Adam act element by element, training the stack is K independent trainings.

:func:`batched_outputs` (and :func:`output_batches`, batch by batch) evaluates a stack, or one
network, on many inputs in batches, without gradients and in eval mode.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ._checks import choice, integer
from ._random import check_seed, seed_list

#: Activation functions by name (``"linear"`` is the identity: a linear network).
ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": nn.functional.gelu,
    "erf": torch.erf,
    "softplus": nn.functional.softplus,
    "linear": lambda z: z,
}


def _activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; got {name!r}")
    return ACTIVATIONS[name]


def _seeded(build: Callable[[], nn.Module], seed: int | None) -> nn.Module:
    if seed is None:
        return build()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_seed(seed))
        return build()


def output_batches(model: nn.Module, x, batch_size: int) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield ``(start, outputs)`` for consecutive batches of ``x``: outputs (K, b, C) of rows
    ``start:start + b``, computed without gradients and in eval mode (restored afterwards).

    The one batched evaluation of the package (:func:`batched_outputs` concatenates it; the
    evaluation of :func:`biascourse.train.train` and the probes of :mod:`biascourse.simplicity`
    reduce it batch by batch). ``model`` is a stack of K networks (it has ``n_models``; its inputs
    are shared) or one ordinary network (K = 1). ``x`` (numpy array or tensor, shape (n, ...)) is
    moved batch by batch to the model's device and, if floating, to its dtype.
    """
    batch_size = integer("batch_size", batch_size, 1)
    param = next(model.parameters())
    stacked = hasattr(model, "n_models")
    x = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.asarray(x))
    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(x), batch_size):
            xb = x[start:start + batch_size]
            xb = xb.to(device=param.device, dtype=param.dtype if xb.is_floating_point() else None)
            with torch.no_grad():
                out = model(xb, shared=True) if stacked else model(xb)[None]
            yield start, out
    finally:
        model.train(was_training)


def batched_outputs(model: nn.Module, x, batch_size: int) -> torch.Tensor:
    """Outputs (K, n, C) of a stack of K networks (or (1, n, C) of one network) on inputs x (n, ...),
    evaluated ``batch_size`` inputs at a time (see :func:`output_batches`), on the model's device."""
    parts = [out for _, out in output_batches(model, x, batch_size)]
    if not parts:
        raise ValueError("x must hold at least one input; got 0")
    return torch.cat(parts, dim=1)


class MLP(nn.Module):
    """A fully connected network of any depth and width.

    ``x -> act(W_1 x + b_1) -> ... -> act(W_L h + b_L) -> W_out h + b_out``, with inputs flattened.

    Parameters
    ----------
    in_features : input dimension (images are flattened).
    hidden : widths of the hidden layers; ``[]`` gives a linear model.
    out_features : number of outputs (1 for a scalar output trained with MSE on ±1 labels).
    activation : one of :data:`ACTIVATIONS`.
    bias : whether the layers have biases.
    init_std : ``None`` keeps PyTorch's default initialisation (uniform, scale 1/sqrt(fan_in));
        a number s draws weights from N(0, s^2 / fan_in) and sets biases to 0 (s = 0: all zero,
        the W_0 = 0 start of the theory; s = sqrt(2): He initialisation for ReLU).
    readout_std : the same for the output layer alone (overrides ``init_std`` there); 0 gives a
        network whose initial output is exactly 0, like the theory's student at W_0 = 0.
    seed : seed of the initial weights.
    dtype : parameter dtype (float32 by default).
    """

    def __init__(self, in_features: int, hidden: Sequence[int], out_features: int = 1, activation: str = "relu",
                 bias: bool = True, init_std: float | None = None, readout_std: float | None = None,
                 seed: int | None = None, dtype: torch.dtype | None = None):
        super().__init__()
        sizes = [integer("in_features", in_features, 1),
                 *(integer("hidden width", h, 1) for h in hidden),
                 integer("out_features", out_features, 1)]
        for name, value in (("init_std", init_std), ("readout_std", readout_std)):
            if value is not None and not value >= 0:
                raise ValueError(f"{name} must be >= 0 or None; got {value}")
        self.in_features, self.hidden, self.out_features = sizes[0], tuple(sizes[1:-1]), sizes[-1]
        self.activation, self.bias, self.init_std = activation, bias, init_std
        self._act = _activation(activation)
        stds = [init_std] * (len(sizes) - 2) + [init_std if readout_std is None else readout_std]

        def build():
            layers = nn.ModuleList(nn.Linear(a, b, bias=bias, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:]))
            for layer, std in zip(layers, stds):
                if std is not None:
                    nn.init.normal_(layer.weight, std=std / np.sqrt(layer.in_features))
                    if bias:
                        nn.init.zeros_(layer.bias)
            return layers

        self.layers = _seeded(build, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Outputs (n, out_features) for inputs (n, in_features) or (n, *image shape)."""
        h = x.flatten(1)
        for layer in self.layers[:-1]:
            h = self._act(layer(h))
        return self.layers[-1](h)


class StackedLayers(nn.Module):
    """The weights of K fully connected networks of one architecture, stacked layer by layer.

    Layer l holds ``weights[l]`` of shape (K, in, out) and ``biases[l]`` of shape (K, 1, out) (None
    without biases), so that ``h @ weights[l] + biases[l]`` applies the layer of all K networks in
    one batched product, and :func:`biascourse.train.train` trains them together (it reads
    ``n_models``). The course's two stacked MLPs share this storage:

    * :class:`BatchedMLP` (chapters 5 and 8) is the trainable stack of K ordinary :class:`MLP`:
      network k is initialised exactly like ``MLP(..., seed=seeds[k])`` (PyTorch's default or
      :math:`\\mathcal N(0, s^2/\\text{fan-in})` with zero biases) and can be taken out as one
      (:meth:`BatchedMLP.model`); it flattens images and evaluates shared inputs with one large
      first-layer product.
    * :class:`biascourse.igb.MLPEnsemble` (chapter 7) is the ensemble of the initial-guessing-bias
      measurements: its initialisation ``k`` is drawn with numpy from ``default_rng([seed, k])``
      (weights :math:`\\mathcal N(0,\\sigma_w^2/\\text{fan-in})` and biases
      :math:`\\mathcal N(0,\\sigma_b^2)`, as the mean-field theory assumes), so any subset of
      initialisations of a large ensemble can be rebuilt alone; its layers add what the chapter
      varies and :class:`BatchedMLP` does not have: batch or layer normalisation before or after
      the activation, max pooling, shifted activations, and it yields every layer's
      pre-activations. Its forward pass (a broadcast ``matmul``) is kept as it is, so the
      chapter's measured fractions do not move by rounding.
    """

    def __init__(self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor] | None):
        super().__init__()
        self.weights = nn.ParameterList(nn.Parameter(w) for w in weights)
        self.biases = nn.ParameterList(nn.Parameter(b) for b in biases) if biases is not None else None

    @property
    def n_models(self) -> int:
        """The number K of networks (the name :func:`biascourse.train.train` reads)."""
        return self.weights[0].shape[0]

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(fan-in, fan-out) of every layer, readout last."""
        return [(w.shape[1], w.shape[2]) for w in self.weights]


class BatchedMLP(StackedLayers):
    """K independent MLPs of the same architecture, stored as stacked weights (see :class:`StackedLayers`).

    Layer l holds ``weight_l`` of shape (K, in, out) and ``bias_l`` of shape (K, 1, out). Model k is
    initialised exactly like ``MLP(..., seed=seeds[k])`` (see :meth:`model`).

    Parameters
    ----------
    n_models : K, the number of networks.
    in_features, hidden, out_features, activation, bias, init_std, readout_std, dtype : as in
        :class:`MLP`.
    seeds : K seeds, one per network (default ``range(K)``).

    Examples
    --------
    >>> net = BatchedMLP(8, 784, [64], 10, seeds=range(8))
    >>> net(torch.zeros(32, 784)).shape   # the same 32 inputs for the 8 networks
    torch.Size([8, 32, 10])
    """

    def __init__(self, n_models: int, in_features: int, hidden: Sequence[int], out_features: int = 1,
                 activation: str = "relu", bias: bool = True, init_std: float | None = None,
                 seeds: Sequence[int] | None = None, dtype: torch.dtype | None = None,
                 readout_std: float | None = None):
        n_models = integer("n_models", n_models, 1)
        seeds = tuple(range(n_models)) if seeds is None else tuple(check_seed(s) for s in seeds)
        if len(seeds) != n_models:
            raise ValueError(f"seeds must have n_models={n_models} entries; got {len(seeds)}")
        config = dict(in_features=in_features, hidden=tuple(hidden), out_features=out_features,
                      activation=activation, bias=bias, init_std=init_std, readout_std=readout_std, dtype=dtype)
        singles = [MLP(**config, seed=s) for s in seeds]
        layers = range(len(singles[0].layers))
        super().__init__(
            [torch.stack([m.layers[i].weight.detach().T for m in singles]).contiguous() for i in layers],
            [torch.stack([m.layers[i].bias.detach()[None] for m in singles]).contiguous() for i in layers]
            if bias else None)
        self._config, self.seeds = config, seeds
        first = singles[0]
        self.in_features, self.hidden, self.out_features = first.in_features, first.hidden, first.out_features
        self.activation, self.bias = activation, bias
        self._act = _activation(activation)

    def _is_shared(self, x: torch.Tensor, shared: bool | None) -> bool:
        if shared is not None:
            return shared
        per_model = x.ndim >= 3 and x.shape[0] == self.n_models and int(np.prod(x.shape[2:])) == self.in_features
        return not (per_model and (x.ndim == 3 or int(np.prod(x.shape[1:])) != self.in_features))

    def forward(self, x: torch.Tensor, shared: bool | None = None) -> torch.Tensor:
        """Outputs (K, n, out_features).

        Parameters
        ----------
        x : the same inputs for every network, (n, in_features) or (n, *image shape); or one batch
            per network, (K, n, in_features) or (K, n, *image shape).
        shared : say which of the two it is; by default it is inferred from the shape.
        """
        if self._is_shared(x, shared):
            h = x.flatten(1)
            w = self.weights[0]
            # one (n, in) x (in, K*out) product instead of K small ones
            h = (h @ w.transpose(0, 1).reshape(w.shape[1], -1)).view(h.shape[0], self.n_models, -1).transpose(0, 1)
            if self.bias:
                h = h + self.biases[0]
        else:
            if x.shape[0] != self.n_models:
                raise ValueError(f"per-network inputs must have a leading axis of size {self.n_models}; got {tuple(x.shape)}")
            h = x.flatten(2)
            h = torch.baddbmm(self.biases[0], h, self.weights[0]) if self.bias else torch.bmm(h, self.weights[0])
        for i in range(1, len(self.weights)):
            h = self._act(h)
            h = torch.baddbmm(self.biases[i], h, self.weights[i]) if self.bias else torch.bmm(h, self.weights[i])
        return h

    def model(self, k: int) -> MLP:
        """A copy of network k as a stand-alone :class:`MLP` with its current weights."""
        single = MLP(**self._config)
        with torch.no_grad():
            for i, layer in enumerate(single.layers):
                layer.weight.copy_(self.weights[i][k].T)
                if self.bias:
                    layer.bias.copy_(self.biases[i][k, 0])
        return single.to(self.weights[0].device)


class ModelStack(nn.Module):
    """K independent copies of any network, trained together with ``torch.func``.

    Each parameter and buffer gets a leading axis of size K. On a GPU, :func:`torch.func.vmap`
    runs the forward pass of the K networks at once (convolutions become grouped convolutions);
    on a CPU, where vmapped convolutions are slower than separate ones, the K networks are called
    one after the other on views of the stacked weights (``method="loop"``). Both give the same
    numbers. Model k is ``factory(seeds[k])``. Batch normalisation keeps one set of statistics per
    network.

    Parameters
    ----------
    factory : builds one network from a seed, e.g. ``lambda s: SmallCNN(seed=s)``.
    seeds : one seed per network, or a number K of networks (seeds ``0 .. K - 1``).
    method : ``"auto"`` (vmap on CUDA, loop elsewhere), ``"vmap"`` or ``"loop"``.

    Raises
    ------
    ValueError
        If ``seeds`` is neither an integer >= 1 nor a non-empty list of seeds in [0, 2**32 - 1],
        or ``method`` is not one of :attr:`METHODS`.

    Examples
    --------
    >>> stack = ModelStack(lambda s: SmallCNN(seed=s), seeds=range(4))
    >>> stack(torch.zeros(16, 1, 28, 28)).shape
    torch.Size([4, 16, 10])
    """

    METHODS = ("auto", "vmap", "loop")

    def __init__(self, factory: Callable[[int], nn.Module], seeds: Sequence[int], method: str = "auto"):
        super().__init__()
        self.method = choice("method", method, self.METHODS)
        self.seeds = tuple(seed_list(seeds))
        self.n_models = len(self.seeds)
        models = [factory(s) for s in self.seeds]
        params, buffers = stack_module_state(models)
        self._param_names, self._buffer_names = list(params), list(buffers)
        self.stacked = nn.ParameterDict({n.replace(".", "__"): nn.Parameter(p) for n, p in params.items()})
        for name, value in buffers.items():
            self.register_buffer("buf__" + name.replace(".", "__"), value)
        template = copy.deepcopy(models[0]).to("meta")
        object.__setattr__(self, "_template", template)  # not a sub-module: its weights are the stacked ones

    def train(self, mode: bool = True) -> "ModelStack":
        super().train(mode)
        self._template.train(mode)
        return self

    def _state(self):
        params = {n: self.stacked[n.replace(".", "__")] for n in self._param_names}
        buffers = {n: getattr(self, "buf__" + n.replace(".", "__")) for n in self._buffer_names}
        return params, buffers

    def forward(self, x: torch.Tensor, shared: bool | None = None) -> torch.Tensor:
        """Outputs (K, n, out) for shared inputs (n, ...) or per-network inputs (K, n, ...).

        ``shared=None`` treats x as per-network when its leading axis has size K and it has two more
        dimensions than one sample (the network's ``input_ndim``, e.g. 3 for (C, H, W) images);
        networks without ``input_ndim`` get shared inputs unless told otherwise.
        """
        params, buffers = self._state()
        if shared is None:
            per_sample = getattr(self._template, "input_ndim", None)
            shared = not (per_sample is not None and x.ndim == per_sample + 2 and x.shape[0] == self.n_models)
        method = self.method if self.method != "auto" else ("vmap" if x.is_cuda else "loop")
        if method == "vmap":
            call = lambda p, b, xx: functional_call(self._template, (p, b), (xx,))  # noqa: E731
            return vmap(call, in_dims=(0, 0, None if shared else 0), randomness="different")(params, buffers, x)
        # unbind (not indexing) so that the backward pass stacks the K gradients in one go
        params = {n: p.unbind(0) for n, p in params.items()}
        buffers = {n: b.unbind(0) for n, b in buffers.items()}
        return torch.stack([
            functional_call(self._template, ({n: p[k] for n, p in params.items()},
                                             {n: b[k] for n, b in buffers.items()}), (x if shared else x[k],))
            for k in range(self.n_models)])

    def model(self, k: int) -> nn.Module:
        """A copy of network k as a stand-alone module with its current weights and buffers."""
        single = copy.deepcopy(self._template).to_empty(device=next(iter(self.stacked.values())).device)
        params, buffers = self._state()
        state = {**{n: p[k].detach().clone() for n, p in params.items()},
                 **{n: b[k].detach().clone() for n, b in buffers.items()}}
        single.load_state_dict(state)
        return single


class SmallCNN(nn.Module):
    """Two convolution layers and a fully connected output layer, for 28x28x1 or 32x32x3 images.

    ``conv3x3 -> ReLU -> maxpool2 -> conv3x3 -> ReLU -> maxpool2 -> [linear -> ReLU] -> linear``
    (the small CNN of the bias-amplification reproduction plan; widths are the course's choice).

    Parameters
    ----------
    in_channels : 1 (Fashion-MNIST, MNIST) or 3 (CIFAR-10).
    n_classes : number of outputs.
    image_size : side of the square input images (28 or 32).
    channels : output channels of the two convolutions.
    hidden : width of an optional hidden fully connected layer (None: none).
    seed : seed of the initial weights.

    Raises
    ------
    ValueError
        If ``in_channels``, ``n_classes``, a channel count or ``hidden`` is not an integer >= 1,
        or ``image_size`` not an integer >= 4.
    """

    input_ndim = 3  # (C, H, W) per sample

    def __init__(self, in_channels: int = 1, n_classes: int = 10, image_size: int = 28,
                 channels: Sequence[int] = (16, 32), hidden: int | None = None, seed: int | None = None):
        super().__init__()
        in_channels, n_classes = integer("in_channels", in_channels, 1), integer("n_classes", n_classes, 1)
        hidden = integer("hidden", hidden, 1) if hidden is not None else None
        c1, c2 = (integer("channels", c, 1) for c in channels)
        integer("image_size", image_size, 4)
        side = image_size // 4

        def build():
            head = [nn.Flatten(), nn.Linear(c2 * side * side, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)] \
                if hidden else [nn.Flatten(), nn.Linear(c2 * side * side, n_classes)]
            return nn.Sequential(
                nn.Conv2d(in_channels, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), *head)

        self.net = _seeded(build, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (n, n_classes) for images (n, C, H, W)."""
        return self.net(x)


class _BasicBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, norm: bool):
        super().__init__()
        Norm = nn.BatchNorm2d if norm else (lambda c: nn.Identity())  # noqa: N806
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=not norm)
        self.bn1 = Norm(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=not norm)
        self.bn2 = Norm(c_out)
        self.shortcut = nn.Identity() if stride == 1 and c_in == c_out else nn.Sequential(
            nn.Conv2d(c_in, c_out, 1, stride=stride, bias=not norm), Norm(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class SmallResNet(nn.Module):
    """A three-stage CIFAR-style ResNet (He et al., 2016) of depth 6n+2, for 28x28x1 or 32x32x3 images.

    Stem ``conv3x3(width)``, then three stages of ``blocks`` basic blocks with ``width``,
    ``2*width`` and ``4*width`` channels (strides 1, 2, 2), global average pooling and a linear
    layer. Convolutions use He-normal initialisation, as in the ResNet of Hall et al.
    (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training, whose Fashion-MNIST model has ``width=64``, ``blocks=2``).

    Parameters
    ----------
    in_channels : 1 or 3.
    n_classes : number of outputs.
    width : channels of the first stage.
    blocks : basic blocks per stage (depth = 6 * blocks + 2).
    norm : use batch normalisation.
    seed : seed of the initial weights.

    Raises
    ------
    ValueError
        If ``in_channels``, ``n_classes``, ``width`` or ``blocks`` is not an integer >= 1.
    """

    input_ndim = 3

    def __init__(self, in_channels: int = 1, n_classes: int = 10, width: int = 16, blocks: int = 1,
                 norm: bool = True, seed: int | None = None):
        super().__init__()
        in_channels, n_classes = integer("in_channels", in_channels, 1), integer("n_classes", n_classes, 1)
        width = integer("width", width, 1)
        blocks = integer("blocks", blocks, 1)
        self.depth = 6 * blocks + 2

        def build():
            layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1, bias=not norm)]
            layers += [nn.BatchNorm2d(width)] if norm else []
            layers.append(nn.ReLU())
            c_in = width
            for stage, c_out in enumerate((width, 2 * width, 4 * width)):
                for b in range(blocks):
                    layers.append(_BasicBlock(c_in, c_out, 2 if (stage > 0 and b == 0) else 1, norm))
                    c_in = c_out
            layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, n_classes)]
            body = nn.Sequential(*layers)
            for module in body.modules():
                if isinstance(module, nn.Conv2d):
                    nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            return body

        self.net = _seeded(build, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (n, n_classes) for images (n, C, H, W)."""
        return self.net(x)
