using System.Globalization;

/// <summary>
/// A .NET startup hook (DOTNET_STARTUP_HOOKS=LlmLoc.Tests.dll): runs in a child llmloc before its Main and, when asked,
/// prints the culture the runtime derived from the environment, so a locale test can first prove its child runs under
/// that locale.
/// </summary>
internal static class StartupHook
{
    public const string Variable = "LLMLOC_TEST_REPORT_CULTURE";
    public const string Prefix = "test-hook: culture ";

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") return;
        var culture = CultureInfo.CurrentCulture;
        Console.Error.WriteLine($"{Prefix}{culture.Name} decimal='{culture.NumberFormat.NumberDecimalSeparator}'");
    }
}
