using System.Diagnostics;
using System.Globalization;

namespace KbSr.Cli.Commands;

/// <summary>Progress of a counted job on stderr with elapsed time and ETA: one line rewritten in place on a
/// terminal; plain lines (at most one per ~10 s, and the last) when stderr is redirected.</summary>
internal sealed class ProgressLine(string what, int total)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private double _lastPlain = double.NegativeInfinity;
    private bool _wroteInPlace;

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Reports <paramref name="done"/> of the total (ETA = elapsed / done · remaining).</summary>
    public void Report(int done)
    {
        double elapsed = _clock.Elapsed.TotalSeconds;
        string eta = done > 0 && done < total ? $", ETA {Format(elapsed / done * (total - done))}" : "";
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
