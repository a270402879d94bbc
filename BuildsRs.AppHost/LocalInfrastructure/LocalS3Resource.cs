namespace BuildsRs.AppHost.LocalInfrastructure;

/// <summary>
/// A local S3-compatible server (the npm package s3rver) holding one bucket. Its connection string has the shape the
/// Api reads for any S3 provider: <c>Endpoint=...;AccessKey=...;SecretKey=...;Bucket=...</c>.
/// </summary>
internal sealed class LocalS3Resource(string name, string command, string workingDirectory, string bucket)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    /// <summary>s3rver accepts any credentials; these are its documented defaults.</summary>
    private const string Credentials = "S3RVER";

    public string Bucket { get; } = bucket;
    public EndpointReference Endpoint => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint={Endpoint.Property(EndpointProperty.Url)};AccessKey={Credentials};SecretKey={Credentials};Bucket={Bucket}");
}
