import numpy as np
import pytest
import torch

from biascourse.models import ACTIVATIONS, MLP, BatchedMLP, ModelStack, SmallCNN, SmallResNet

F64 = torch.float64


def test_mlp_seed_controls_weights_not_global_state():
    torch.manual_seed(123)
    before = torch.rand(1)
    a, b = MLP(10, [8, 8], 2, seed=4), MLP(10, [8, 8], 2, seed=4)
    torch.manual_seed(123)
    assert torch.equal(torch.rand(1), before)  # building a seeded network leaves the global RNG alone
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(a.layers[0].weight, MLP(10, [8, 8], 2, seed=5).layers[0].weight)


def test_mlp_shapes_and_init_std():
    net = MLP(784, [32, 16], 3, activation="tanh", init_std=1.0, seed=0)
    assert net(torch.zeros(5, 28, 28)).shape == (5, 3)
    assert len(net.layers) == 3 and net.layers[1].bias.abs().max() == 0
    readout = MLP(10, [6], 1, init_std=2.0, readout_std=0.0, seed=0)
    assert readout.layers[-1].weight.abs().max() == 0 and readout.layers[0].weight.abs().max() > 0
    assert abs(net.layers[0].weight.std().item() * np.sqrt(784) - 1) < 0.02
    zero = MLP(50, [], 1, bias=False, init_std=0.0, seed=0)
    assert zero.layers[0].weight.abs().max() == 0 and zero(torch.ones(2, 50)).abs().max() == 0


def test_mlp_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP(4, [3], 1, activation="swish")
    with pytest.raises(ValueError, match=r"hidden width must be an integer in \[1, inf\); got 0"):
        MLP(4, [0], 1)
    with pytest.raises(ValueError, match="init_std must be >= 0"):
        MLP(4, [3], 1, init_std=-1.0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_batched_mlp_equals_single_networks(activation):
    seeds = [3, 1, 4]
    net = BatchedMLP(3, 12, [7, 5], 2, activation=activation, seeds=seeds, dtype=F64)
    x = torch.randn(9, 12, dtype=F64)
    xk = torch.randn(3, 9, 12, dtype=F64)
    shared, per_net = net(x), net(xk)
    assert shared.shape == per_net.shape == (3, 9, 2)
    for k, seed in enumerate(seeds):
        single = MLP(12, [7, 5], 2, activation=activation, seed=seed, dtype=F64)
        torch.testing.assert_close(shared[k], single(x), rtol=0, atol=1e-12)
        torch.testing.assert_close(per_net[k], single(xk[k]), rtol=0, atol=1e-12)
        torch.testing.assert_close(net.model(k)(x), single(x), rtol=0, atol=1e-12)


def test_batched_mlp_input_shapes():
    net = BatchedMLP(4, 784, [8], 10, seeds=range(4))
    assert net(torch.zeros(6, 28, 28)).shape == (4, 6, 10)  # shared images, flattened
    assert net(torch.zeros(4, 6, 784)).shape == (4, 6, 10)  # one batch per network
    assert net(torch.zeros(4, 6, 1, 28, 28)).shape == (4, 6, 10)
    assert net(torch.zeros(4, 784), shared=True).shape == (4, 4, 10)
    with pytest.raises(ValueError, match="leading axis of size 4"):
        net(torch.zeros(3, 6, 784), shared=False)
    with pytest.raises(ValueError, match="seeds must have n_models=4 entries"):
        BatchedMLP(4, 10, [3], 1, seeds=[0, 1])
    no_bias = BatchedMLP(2, 5, [], 1, bias=False, seeds=[0, 1])
    assert no_bias.biases is None and no_bias(torch.ones(3, 5)).shape == (2, 3, 1)


@pytest.mark.parametrize("method", ["loop", "vmap"])
def test_model_stack_equals_single_cnns(method):
    stack = ModelStack(lambda s: SmallCNN(seed=s), seeds=[0, 7], method=method)
    x = torch.randn(4, 1, 28, 28)
    out = stack(x)
    assert out.shape == (2, 4, 10)
    for k, seed in enumerate([0, 7]):
        torch.testing.assert_close(out[k], SmallCNN(seed=seed)(x), rtol=1e-5, atol=1e-6)
    xk = torch.randn(2, 4, 1, 28, 28)
    torch.testing.assert_close(stack(xk)[1], SmallCNN(seed=7)(xk[1]), rtol=1e-5, atol=1e-6)


def test_model_stack_batch_norm_statistics_per_network():
    stack = ModelStack(lambda s: SmallResNet(in_channels=3, n_classes=2, width=4, seed=s), seeds=[1, 2])
    singles = [SmallResNet(in_channels=3, n_classes=2, width=4, seed=s) for s in (1, 2)]
    xk = torch.randn(2, 5, 3, 32, 32)
    stack.train()
    out = stack(xk)
    for k, single in enumerate(singles):
        single.train()
        torch.testing.assert_close(out[k], single(xk[k]), rtol=1e-4, atol=1e-5)
        for (name, a), b in zip(stack.model(k).state_dict().items(), single.state_dict().values()):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)  # running means included
    stack.eval()
    singles[0].eval()
    torch.testing.assert_close(stack(xk[0])[0], singles[0](xk[0]), rtol=1e-4, atol=1e-5)


def test_model_stack_vmap_and_loop_agree_with_gradients():
    x = torch.randn(3, 1, 28, 28)
    grads = []
    for method in ("loop", "vmap"):
        stack = ModelStack(lambda s: SmallCNN(channels=(4, 8), n_classes=1, seed=s), seeds=[0, 1, 2], method=method)
        stack(x).square().sum().backward()
        grads.append(torch.cat([p.grad.flatten() for p in stack.parameters()]))
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-4, atol=1e-6)


def test_small_networks_on_cifar_shapes():
    assert SmallCNN(in_channels=3, image_size=32, hidden=16, seed=0)(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    net = SmallResNet(in_channels=3, width=8, blocks=2, seed=0)
    assert net.depth == 14 and net(torch.zeros(2, 3, 32, 32)).shape == (2, 10)
    assert SmallResNet(in_channels=1, width=8, norm=False, seed=0)(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="method must be one of"):
        ModelStack(lambda s: SmallCNN(seed=s), seeds=[0], method="fast")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_stacks_on_gpu_match_cpu():
    net = BatchedMLP(3, 20, [16], 2, seeds=[0, 1, 2])
    x = torch.randn(8, 20)
    torch.testing.assert_close(net.to("cuda")(x.cuda()).cpu(), net.to("cpu")(x), rtol=1e-4, atol=1e-5)
    stack = ModelStack(lambda s: SmallCNN(seed=s), seeds=[0, 1])
    xi = torch.randn(4, 1, 28, 28)
    torch.testing.assert_close(stack.to("cuda")(xi.cuda()).cpu(), stack.to("cpu")(xi), rtol=1e-4, atol=1e-4)


def test_batched_outputs_of_stacks_and_single_networks():
    from biascourse.models import batched_outputs, output_batches

    x = np.random.default_rng(0).standard_normal((11, 6)).astype(np.float32)
    stack = BatchedMLP(3, 6, [5], 2, seeds=[0, 1, 2])
    full = stack(torch.as_tensor(x)).detach()
    out = batched_outputs(stack, x, 4)
    assert out.shape == (3, 11, 2) and not out.requires_grad
    torch.testing.assert_close(out, full)
    assert [start for start, _ in output_batches(stack, x, 4)] == [0, 4, 8]
    single = MLP(6, [5], 2, seed=1)
    single.train()
    torch.testing.assert_close(batched_outputs(single, torch.as_tensor(x), 5), single(torch.as_tensor(x)).detach()[None])
    assert single.training  # eval mode only while evaluating
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, inf\); got 0"):
        batched_outputs(stack, x, 0)
    with pytest.raises(ValueError, match="at least one input"):
        batched_outputs(stack, x[:0], 4)
