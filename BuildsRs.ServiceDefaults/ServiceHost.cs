using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Starts a service so that a missing or wrong setting ends it with one line naming the setting, and exit code 78
/// (EX_CONFIG), instead of a stack trace: a container's log then says what to fix.
/// </summary>
public static class ServiceHost
{
    public const int ConfigurationError = 78;

    public static async Task<int> RunAsync(Func<Task<WebApplication>> build)
    {
        try
        {
            await using var app = await build();
            // Options checked at start are checked here first, before the host would log them with a stack trace.
            app.Services.GetService<IStartupValidator>()?.Validate();
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (SettingsProblem(ex) is { } problem)
        {
            await Console.Error.WriteLineAsync($"{AppDomain.CurrentDomain.FriendlyName} cannot start: {problem}");
            return ConfigurationError;
        }
    }

    public static Task<int> RunAsync(Func<WebApplication> build) => RunAsync(() => Task.FromResult(build()));

    /// <summary>The connection string, or an <see cref="InvalidSettingException"/> that names it and what it is for.</summary>
    public static string RequireConnectionString(this IHostApplicationBuilder builder, string name, string meaning) =>
        builder.Configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidSettingException(
                $"the setting ConnectionStrings:{name} (environment ConnectionStrings__{name}) is missing: {meaning}");

    private static string? SettingsProblem(Exception ex) => ex switch
    {
        InvalidSettingException setting => setting.Message,
        OptionsValidationException options => $"the settings {Section(options.OptionsType)}are invalid: {string.Join("; ", options.Failures)}",
        AggregateException { InnerExceptions.Count: 1 } aggregate => SettingsProblem(aggregate.InnerExceptions[0]),
        _ => null,
    };

    /// <summary>Where the options class is bound from, by the convention of a <c>SectionName</c> constant.</summary>
    private static string Section(Type optionsType) =>
        optionsType.GetField("SectionName")?.GetRawConstantValue() is string section ? $"under {section} (environment {section}__...) " : "";
}
