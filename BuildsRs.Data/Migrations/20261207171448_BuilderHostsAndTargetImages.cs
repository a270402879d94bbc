using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class BuilderHostsAndTargetImages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "images",
                table: "targets",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.CreateTable(
                name: "builder_hosts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    token_sha256 = table.Column<byte[]>(type: "bytea", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_builder_hosts", x => x.id);
                });

            migrationBuilder.AddColumn<long>(
                name: "host_id",
                table: "builders",
                type: "bigint",
                nullable: true);

            // A key enrolled before hosts existed becomes a host of its own, whose token nobody holds: it keeps
            // connecting, and an operator can disable it as a host.
            migrationBuilder.Sql("""
                INSERT INTO builder_hosts (name, token_sha256, enabled)
                SELECT 'key-' || b.fingerprint, sha256(convert_to(gen_random_uuid()::text || b.fingerprint, 'UTF8')), true FROM builders b;
                UPDATE builders b SET host_id = h.id FROM builder_hosts h WHERE h.name = 'key-' || b.fingerprint;
                """);

            migrationBuilder.AlterColumn<long>(
                name: "host_id",
                table: "builders",
                type: "bigint",
                nullable: false,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);

            migrationBuilder.UpdateData(
                table: "targets",
                keyColumn: "triple",
                keyValue: "x86_64-unknown-linux-gnu",
                column: "images",
                value: new string[0]);

            migrationBuilder.CreateIndex(
                name: "ix_builders_host_id",
                table: "builders",
                column: "host_id");

            migrationBuilder.CreateIndex(
                name: "ix_builder_hosts_name",
                table: "builder_hosts",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_builder_hosts_token_sha256",
                table: "builder_hosts",
                column: "token_sha256",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_builders_builder_hosts_host_id",
                table: "builders",
                column: "host_id",
                principalTable: "builder_hosts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_builders_builder_hosts_host_id",
                table: "builders");

            migrationBuilder.DropTable(
                name: "builder_hosts");

            migrationBuilder.DropIndex(
                name: "ix_builders_host_id",
                table: "builders");

            migrationBuilder.DropColumn(
                name: "images",
                table: "targets");

            migrationBuilder.DropColumn(
                name: "host_id",
                table: "builders");
        }
    }
}
