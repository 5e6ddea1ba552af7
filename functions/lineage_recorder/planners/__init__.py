"""One pure planner per SageMaker resource family: a resource description in, a Plan out.

| family        | planner                                    |
|---------------|--------------------------------------------|
| training      | planners.training.plan_training_job        |
| processing    | planners.processing.plan_processing_job    |
| transform     | planners.transform.plan_transform_job      |
| model package | planners.model_package.plan_model_package  |
| endpoint      | planners.endpoint.plan_endpoint            |
"""
