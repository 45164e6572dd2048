with source as (
    select * from {{ source('returns', 'return_periods') }}
),

renamed as (
    select
        period,
        files as files_in_folder,
        refreshed_at,
        sample_data as is_sample_data
    from source
)

select * from renamed
