using System.Diagnostics;
using System.Globalization;

namespace KbSr.Cli.Commands;

/// <summary>Progress of a counted job on stderr with elapsed time and ETA: one line rewritten in place on a
/// terminal; plain lines (at most one per ~10 s, and the last) when stderr is redirected. <paramref name="resumed"/>
/// items were read back from an earlier run, not done by this one: they count towards done but not towards the rate.</summary>
public sealed class ProgressLine(string what, int total, int resumed = 0)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private double _lastPlain = double.NegativeInfinity;
    private bool _wroteInPlace;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Reports <paramref name="done"/> of the total, resumed items included.</summary>
    public void Report(int done)
    {
        double elapsed = _clock.Elapsed.TotalSeconds;
        string eta = Eta(done, total, resumed, elapsed) is { } left ? $", ETA {Format(left)}" : "";
        string line = $"{what} {done}/{total}, {Format(elapsed)} elapsed{eta}";
        if (_terminal)
        {
            Console.Error.Write($"\r{line}   ");
            _wroteInPlace = true;
        }
        else if (done >= total || elapsed - _lastPlain >= 10)
        {
            Console.Error.WriteLine(line);
            _lastPlain = elapsed;
        }
    }

    /// <summary>Seconds left at this run's own rate: elapsed / (done − resumed) · (total − done); null before this
    /// run has done anything (a resumed count says nothing of the speed) or once all is done.</summary>
    public static double? Eta(int done, int total, int resumed, double elapsedSeconds) =>
        done > resumed && done < total ? elapsedSeconds / (done - resumed) * (total - done) : null;

    /// <summary>Ends the in-place line (if any).</summary>
    public void Done()
    {
        if (_wroteInPlace) Console.Error.WriteLine();
        _wroteInPlace = false;
    }

    private static string Format(double seconds) =>
        seconds < 90 ? seconds.ToString("0", CultureInfo.InvariantCulture) + " s"
                     : TimeSpan.FromSeconds(seconds).ToString(seconds < 3600 ? @"m\:ss" : @"h\:mm\:ss", CultureInfo.InvariantCulture);
}
