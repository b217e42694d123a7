using KbSr.Degradation;
using KbSr.Evaluation;
using KbSr.Inference;
using KbSr.Model;
using KbSr.Model.Baselines;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Training;

/// <summary>
/// IKC's training in phases (Gu et al., CVPR 2019, §4.4, and its released training scripts); each phase is a run, the
/// next one started with <c>--init</c> from the last one's weights, and the optimiser holds only that phase's parameters:
/// <list type="number">
/// <item><see cref="TrainingPhase.IkcSftmd"/> ("sftmd"): SFTMD alone, given the true kernels' codes, L1 pixel loss.</item>
/// <item><see cref="TrainingPhase.IkcPredictor"/> ("predictor"): the Predictor alone, MSE to the true code. No SFTMD
/// runs, so a step costs a small fraction of a Corrector step, and the Predictor gets the steps it needs.</item>
/// <item><see cref="TrainingPhase.IkcCorrector"/> ("corrector"): the Corrector alone, SFTMD and the Predictor fixed. From
/// the Predictor's code, N − 1 corrections, each with its own update as in IKC's script: SFTMD makes the SR image
/// from the current code (no gradient), the Corrector corrects the code, MSE to the true code, one optimiser step, and
/// the next correction starts from the detached result.</item>
/// <item><see cref="TrainingPhase.IkcPredictorCorrector"/> ("predictor-corrector"): the recipe of the first IKC Small
/// (data/weights/README.md): Predictor and Corrector together, the N − 1 Corrector losses averaged with the Predictor's
/// into one update per batch. It gave the Corrector one update where IKC makes N − 1; kept so that run resumes.</item>
/// </list>
/// </summary>
public sealed class IkcObjective : ISelfSteppingObjective
{
    /// <summary>The phases IKC trains in.</summary>
    public static IReadOnlyList<TrainingPhase> Phases { get; } =
        [TrainingPhase.IkcSftmd, TrainingPhase.IkcPredictor, TrainingPhase.IkcCorrector, TrainingPhase.IkcPredictorCorrector];

    private readonly Ikc _net;
    private readonly KernelPca _pca;
    private readonly PixelLoss _pixelLoss;

    public IkcObjective(Ikc net, KernelPca pca, PixelLoss pixelLoss, TrainingPhase phase)
    {
        _net = net;
        _pca = pca;
        _pixelLoss = pixelLoss;
        Phase = Check(phase);
        if (phase is TrainingPhase.IkcCorrector or TrainingPhase.IkcPredictorCorrector && net.Config.Baseline!.Iterations < 2)
            throw new ArgumentException($"IKC's Corrector trains on corrections: baseline.iterations must be ≥ 2, got {net.Config.Baseline!.Iterations}");
        Trainable = phase switch
        {
            TrainingPhase.IkcSftmd => net.Sftmd.parameters().ToList(),
            TrainingPhase.IkcPredictor => net.Predictor.parameters().ToList(),
            TrainingPhase.IkcCorrector => net.Corrector.parameters().ToList(),
            _ => net.Predictor.parameters().Concat(net.Corrector.parameters()).ToList(),
        };
        Validator = phase switch
        {
            TrainingPhase.IkcSftmd => new NonBlindSuperResolver(net.Sftmd, pca, "validation (SFTMD, true kernel)"),
            TrainingPhase.IkcPredictor => new IkcSuperResolver(net, pca, "validation (Predictor's code, no correction)", iterations: 1),
            _ => new IkcSuperResolver(net, pca, "validation"),
        };
    }

    public TrainingPhase Phase { get; }

    public IReadOnlyList<TorchSharp.Modules.Parameter> Trainable { get; }

    public ISuperResolver Validator { get; }

    public bool StepsItself(TrainingPhase phase) => Check(phase) == TrainingPhase.IkcCorrector;

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
        if (phase == TrainingPhase.IkcCorrector)
        {
            // The Corrector phase's loss as one graph (the trainer uses Step, one update per correction, instead).
            Tensor start;
            using (no_grad()) start = _net.Predictor.call(batch.Lr);
            var chain = Corrections(batch.Lr, start, trueCode);
            var mean = stack(chain).mean();
            double value = mean.detach().item<float>();
            return new ObjectiveTerms(mean.MoveToOuterDisposeScope(), new Dictionary<string, double> { ["total"] = value, ["corrector"] = value });
        }
        var code = _net.Predictor.call(batch.Lr);
        var predictor = nn.functional.mse_loss(code, trueCode);
        if (phase == TrainingPhase.IkcPredictor)
        {
            double value = predictor.detach().item<float>();
            return new ObjectiveTerms(predictor.MoveToOuterDisposeScope(), new Dictionary<string, double> { ["total"] = value, ["predictor"] = value });
        }
        var corrections = Corrections(batch.Lr, code.detach(), trueCode);
        var corrector = corrections.Count > 0 ? stack(corrections).mean() : zeros_like(predictor);
        var sum = predictor + corrector;
        var values = new Dictionary<string, double>
        {
            ["total"] = sum.detach().item<float>(), ["predictor"] = predictor.detach().item<float>(),
            ["corrector"] = corrector.detach().item<float>(),
        };
        return new ObjectiveTerms(sum.MoveToOuterDisposeScope(), values);
    }

    /// <summary>N − 1 corrections from <paramref name="start"/>: each SFTMD image made without gradient, each correction
    /// starting from the detached previous one; their MSEs to the true code, with the Corrector's graph.</summary>
    private List<Tensor> Corrections(Tensor lr, Tensor start, Tensor trueCode)
    {
        var losses = new List<Tensor>();
        var current = start;
        for (int i = 1; i < _net.Config.Baseline!.Iterations; i++)
        {
            Tensor sr;
            using (no_grad()) sr = _net.Sftmd.call(lr, current);                          // SFTMD fixed
            var corrected = _net.Correct(sr, current);
            losses.Add(nn.functional.mse_loss(corrected, trueCode));
            current = corrected.detach();
        }
        return losses;
    }

    /// <summary>The Corrector phase: N − 1 corrections of the Predictor's code, one update each. Logs the mean of their
    /// losses ("corrector", also "total"), the first and the last, and the Predictor's own loss for reference.</summary>
    public IReadOnlyDictionary<string, double> Step(SyntheticBatch batch, TrainingPhase phase, optim.Optimizer optimizer, double gradClip)
    {
        if (!StepsItself(phase)) throw new InvalidOperationException($"phase {phase} is trained by Compute, not Step");
        using var scope = NewDisposeScope();
        var trueCode = _pca.Encode(batch.Kernels);
        Tensor current;
        using (no_grad()) current = _net.Predictor.call(batch.Lr);                         // Predictor fixed
        double predictor = nn.functional.mse_loss(current, trueCode).item<float>();
        var losses = new List<double>();
        for (int i = 1; i < _net.Config.Baseline!.Iterations; i++)
        {
            using var step = NewDisposeScope();
            Tensor sr;
            using (no_grad()) sr = _net.Sftmd.call(batch.Lr, current);                    // SFTMD fixed
            var corrected = _net.Correct(sr, current);
            var loss = nn.functional.mse_loss(corrected, trueCode);
            double value = loss.detach().item<float>();
            losses.Add(value);
            if (!double.IsFinite(value)) break;
            optimizer.zero_grad();
            loss.backward();
            if (gradClip > 0) nn.utils.clip_grad_norm_(Trainable, gradClip);
            optimizer.step();
            current = corrected.detach().MoveToOuterDisposeScope();
        }
        double mean = losses.Count == 0 ? 0 : losses.Any(v => !double.IsFinite(v)) ? double.NaN : losses.Average();
        return new Dictionary<string, double>
        {
            ["total"] = mean, ["corrector"] = mean, ["corrector_first"] = losses.Count > 0 ? losses[0] : 0,
            ["corrector_last"] = losses.Count > 0 ? losses[^1] : 0, ["predictor"] = predictor,
        };
    }

    private static TrainingPhase Check(TrainingPhase phase) => Phases.Contains(phase)
        ? phase
        : throw new ArgumentException(
            "IKC trains in phases: first --set schedule=sftmd (SFTMD with the true kernels), then --set schedule=predictor " +
            "and --set schedule=corrector, each started with --init <the previous run's weights>; got phase " + phase);
}
