namespace BuildsRs.AppHost.LocalInfrastructure;

/// <summary>Debian's PostgreSQL run as a process (provisioning/postgres.sh), for machines that cannot pull images.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, string databaseName, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public string DatabaseName { get; } = databaseName;
    public ParameterResource Password { get; } = password;
    public EndpointReference Endpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password};Database={DatabaseName}");
}
