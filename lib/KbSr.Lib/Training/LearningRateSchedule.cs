namespace KbSr.Training;

/// <summary>The optimiser's rate as a function of the step: constant, step decay (DBPN/IKC halve it
/// every N steps) or cosine annealing to a floor.</summary>
/// <param name="Kind">"constant", "step" or "cosine".</param>
/// <param name="LearningRate">Rate at step 0.</param>
/// <param name="StepEvery">For "step": multiply by <paramref name="Gamma"/> every this many steps.</param>
/// <param name="Gamma">For "step": the factor (0.5 = halve).</param>
/// <param name="MinLearningRate">For "cosine": the rate reached at <paramref name="TotalSteps"/>.</param>
/// <param name="TotalSteps">For "cosine": the length of the run.</param>
public sealed record LearningRateSchedule(string Kind, double LearningRate, int StepEvery = 0, double Gamma = 0.5,
    double MinLearningRate = 0, int TotalSteps = 0)
{
    public double At(long step)
    {
        return Kind switch
        {
            "constant" => LearningRate,
            "step" when StepEvery > 0 => LearningRate * Math.Pow(Gamma, step / StepEvery),
            "step" => LearningRate,
            "cosine" when TotalSteps > 0 => MinLearningRate + 0.5 * (LearningRate - MinLearningRate) *
                (1 + Math.Cos(Math.PI * Math.Min(step, TotalSteps) / TotalSteps)),
            "cosine" => throw new ArgumentException("cosine schedule needs TotalSteps > 0"),
            _ => throw new ArgumentException($"learning-rate schedule '{Kind}': expected constant, step or cosine"),
        };
    }
}
