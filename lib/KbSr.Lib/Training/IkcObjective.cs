using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// IKC's training, in its two phases (Gu et al., CVPR 2019, §4.4, and its released training scripts):
/// <list type="number">
/// <item><see cref="TrainingPhase.IkcSftmd"/>: SFTMD alone, given the true kernels' codes, L1 pixel loss.</item>
/// <item><see cref="TrainingPhase.IkcPredictorCorrector"/>: Predictor and Corrector with SFTMD fixed: the Predictor's
/// code and every corrected code are compared with the true code by MSE. For N − 1 corrections the Corrector reads the
/// SR image SFTMD makes (without gradient) from the current code, and the next correction starts from the detached
/// result, as IKC's script does. IKC takes one Corrector step per correction; here the N − 1 Corrector losses are
/// averaged into one step with the Predictor's (same data, one update per batch) **[choice]**.</item>
/// </list>
/// Which phase runs is the run's schedule (<c>--set schedule=sftmd</c>, then <c>--set schedule=predictor-corrector
/// --init</c> the first run's weights); the optimiser holds only that phase's parameters.
/// </summary>
public sealed class IkcObjective : ITrainingObjective
{
    private readonly Ikc _net;
    private readonly KernelPca _pca;
    private readonly PixelLoss _pixelLoss;

    public IkcObjective(Ikc net, KernelPca pca, PixelLoss pixelLoss, TrainingPhase phase)
    {
        _net = net;
        _pca = pca;
        _pixelLoss = pixelLoss;
        Phase = Check(phase);
        Trainable = phase == TrainingPhase.IkcSftmd
            ? net.Sftmd.parameters().ToList()
            : net.Predictor.parameters().Concat(net.Corrector.parameters()).ToList();
        Validator = phase == TrainingPhase.IkcSftmd
            ? new NonBlindSuperResolver(net.Sftmd, pca, "validation (SFTMD, true kernel)")
            : new IkcSuperResolver(net, pca, "validation");
    }

    public TrainingPhase Phase { get; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; }

    public ISuperResolver Validator { get; }

    public ObjectiveTerms Compute(SyntheticBatch batch, TrainingPhase phase)
    {
        if (Check(phase) != Phase) throw new ArgumentException($"IKC's phase cannot change within a run ({Phase} → {phase})");
        using var scope = NewDisposeScope();
        var trueCode = _pca.Encode(batch.Kernels);                                         // [B, t]
        if (phase == TrainingPhase.IkcSftmd)
        {
            var total = NonBlindObjective.Pixel(_net.Sftmd.call(batch.Lr, trueCode), batch.Hr, _pixelLoss);
            double value = total.detach().item<float>();
            return new ObjectiveTerms(total.MoveToOuterDisposeScope(), new Dictionary<string, double> { ["total"] = value, ["sr"] = value });
        }
        var code = _net.Predictor.call(batch.Lr);
        var predictor = nn.functional.mse_loss(code, trueCode);
        var corrections = new List<Tensor>();
        var current = code.detach();
        for (int i = 1; i < _net.Config.Baseline!.Iterations; i++)
        {
            Tensor sr;
            using (no_grad()) sr = _net.Sftmd.call(batch.Lr, current);                   // SFTMD fixed
            var corrected = _net.Corrector.call(sr, current);
            corrections.Add(nn.functional.mse_loss(corrected, trueCode));
            current = corrected.detach();
        }
        var corrector = corrections.Count > 0 ? stack(corrections).mean() : zeros_like(predictor);
        var sum = predictor + corrector;
        var values = new Dictionary<string, double>
        {
            ["total"] = sum.detach().item<float>(), ["predictor"] = predictor.detach().item<float>(),
            ["corrector"] = corrector.detach().item<float>(),
        };
        return new ObjectiveTerms(sum.MoveToOuterDisposeScope(), values);
    }

    private static TrainingPhase Check(TrainingPhase phase) => phase is TrainingPhase.IkcSftmd or TrainingPhase.IkcPredictorCorrector
        ? phase
        : throw new ArgumentException(
            "IKC trains in two phases: first --set schedule=sftmd (SFTMD with the true kernels), then " +
            $"--set schedule=predictor-corrector --init <the first run's weights>; got phase {phase}");
}
