namespace KbSr.Cli.Commands;

/// <summary>
/// An ETA that does not jump with every report: the time per report interval and the steps per interval are each
/// an exponential moving average (weight <see cref="Smoothing"/> for the newest interval), and their ratio is the
/// seconds per step. A slow interval (a validation, a checkpoint, a busy machine) moves the estimate a little
/// instead of resetting it, and alternating fast and slow intervals settle on the true mean rate.
/// </summary>
public sealed class SmoothedEta(double smoothing = 0.1)
{
    private long _lastStep = -1;
    private double _lastSeconds, _seconds, _steps;
    private bool _started;

    public double Smoothing { get; } = smoothing is > 0 and <= 1 ? smoothing : throw new ArgumentOutOfRangeException(nameof(smoothing));

    /// <summary>The smoothed seconds per step, once two reports were seen.</summary>
    public double? SecondsPerStep => _started ? _seconds / _steps : null;

    /// <summary>Adds a report (the step reached after <paramref name="elapsed"/>) and returns the time left to
    /// <paramref name="totalSteps"/>, or null before the first interval.</summary>
    public TimeSpan? Update(long step, long totalSteps, TimeSpan elapsed)
    {
        double now = elapsed.TotalSeconds;
        if (_lastStep >= 0 && step > _lastStep && now >= _lastSeconds)
        {
            double dt = now - _lastSeconds, dn = step - _lastStep;
            if (_started) { _seconds += Smoothing * (dt - _seconds); _steps += Smoothing * (dn - _steps); }
            else { _seconds = dt; _steps = dn; _started = true; }
        }
        if (step != _lastStep) { _lastStep = step; _lastSeconds = now; }
        return SecondsPerStep is { } v ? TimeSpan.FromSeconds(v * Math.Max(0, totalSteps - step)) : null;
    }
}
