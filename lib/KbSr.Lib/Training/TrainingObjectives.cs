using KbSr.Degradation;
using KbSr.Model;
using KbSr.Model.Baselines;

namespace KbSr.Training;

/// <summary>The objective of any registered network, chosen by what the network is (KB-SR, IKC, non-blind).</summary>
public static class TrainingObjectives
{
    /// <param name="network">The network to train.</param>
    /// <param name="pca">The kernel PCA stored with the run (eq. 3's kernel term; the baselines' kernel codes).</param>
    /// <param name="phase">The run's phase at its start (IKC's phase holds for the whole run).</param>
    public static ITrainingObjective For(ISrNetwork network, KernelPca pca, TrainingPhase phase)
    {
        ArgumentNullException.ThrowIfNull(network);
        var config = network.Config;
        var loss = ModelRegistry.Entry(config.Model).Loss;
        bool ikcPhase = IkcObjective.Phases.Contains(phase);
        if (network is KbSrNet && ikcPhase)
            throw new ArgumentException($"schedule for phase {phase} trains IKC, not KB-SR: use schedule joint or staged");
        if (network is INonBlindNetwork or Dan && phase != TrainingPhase.Joint)
            throw new ArgumentException($"{config.Model} trains in one phase: use schedule joint, not {phase}");
        return network switch
        {
            KbSrNet kbsr => new KbSrObjective(kbsr, new KbSrLoss(config.Loss, pca)),
            Ikc ikc => new IkcObjective(ikc, pca, loss, phase),
            Dan dan => new DanObjective(dan, pca),
            INonBlindNetwork nonBlind => new NonBlindObjective(nonBlind, pca, loss),
            _ => throw new ArgumentException($"no training objective for {network.GetType().Name}"),
        };
    }
}
