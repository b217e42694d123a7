using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// DAN's training (Luo et al., NeurIPS 2020, §3.3, and its released code): Restorer and Estimator end to end in one
/// phase, supervised at the last iteration N only — L1(SR_N, HR) + L1(k_N, the true kernel's code), both weighted 1.
/// As in DAN's code each network reads the other's output detached, so gradients reach the Restorer from SR_N and the
/// Estimator from k_N alone; iterations 1..N − 1 therefore run without a graph (the same gradients, less memory).
/// </summary>
public sealed class DanObjective : ITrainingObjective
{
    private readonly Dan _net;
    private readonly KernelPca _pca;

    public DanObjective(Dan net, KernelPca pca)
    {
        _net = net;
        _pca = pca;
        net.UseKernelPca(pca);
        Trainable = net.parameters().ToList();
        Validator = new DanSuperResolver(net, pca, "validation");
    }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; }

    public ISuperResolver Validator { get; }

    public ObjectiveTerms Compute(SyntheticBatch batch, TrainingPhase phase)
    {
        if (phase != TrainingPhase.Joint)
            throw new ArgumentException($"DAN trains its two networks together in one phase: use schedule joint, not {phase}");
        using var scope = NewDisposeScope();
        int n = _net.Config.Baseline!.Iterations;
        Tensor code;
        using (no_grad())
        {
            code = _net.StartCode.expand(batch.Lr.shape[0], -1);
            for (int i = 1; i < n; i++) code = _net.Estimator.call(_net.Restorer.call(batch.Lr, code), batch.Lr);
        }
        var sr = _net.Restorer.call(batch.Lr, code);
        var estimate = _net.Estimator.call(sr.detach(), batch.Lr);
        var srLoss = nn.functional.l1_loss(sr, batch.Hr);
        var kernelLoss = nn.functional.l1_loss(estimate, _pca.Encode(batch.Kernels));
        var total = srLoss + kernelLoss;
        var values = new Dictionary<string, double>
        {
            ["total"] = total.detach().item<float>(), ["sr"] = srLoss.detach().item<float>(), ["kernel"] = kernelLoss.detach().item<float>(),
        };
        return new ObjectiveTerms(total.MoveToOuterDisposeScope(), values);
    }
}
