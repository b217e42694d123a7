namespace KbSr.Tests;

/// <summary>
/// For tests that need something outside the repository (the shared datasets, a POSIX signal). When it is missing
/// the test is reported as skipped with the reason — never as passed — and, with <c>KBSR_REQUIRE_ALL=1</c> (CI),
/// it fails instead. Such tests are <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>.
/// </summary>
internal static class Prerequisite
{
    /// <summary>True when every prerequisite must be present (CI sets <c>KBSR_REQUIRE_ALL=1</c>).</summary>
    public static bool AllRequired => Environment.GetEnvironmentVariable("KBSR_REQUIRE_ALL") == "1";

    /// <summary>Returns when <paramref name="present"/>; otherwise skips the test with <paramref name="reason"/>, or fails
    /// it when every prerequisite is required.</summary>
    public static void Require(bool present, string reason)
    {
        if (present) return;
        if (AllRequired) Assert.Fail($"{reason} (KBSR_REQUIRE_ALL=1: a missing prerequisite fails the test)");
        throw new SkipException(reason);
    }
}
